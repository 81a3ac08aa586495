"""Reads of the compliance app, all through `restrict`: the notice page and the vendor portal."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db.models import BooleanField, QuerySet
from django.http import Http404

from outperform.access.scoping import get_scoped_or_404, restrict, scope_for
from outperform.cycles.models import Appraisal, AppraisalState
from outperform.vendors.models import Vendor

from .models import (
    OPEN_NOTICE_STATES,
    AuditFinding,
    EmergencyContact,
    NoticeEvidence,
    RectificationNotice,
    VendorAudit,
)

PUBLISHED_APPRAISAL_STATES = (AppraisalState.PUBLISHED, "confirmed", "appealed")


def notice_get(user: Any, pk: int) -> RectificationNotice:
    qs = RectificationNotice.objects.select_related("vendor", "plan", "plan__owner", "verified_by", "escalate_to")
    return get_scoped_or_404(qs, user, "view", pk=pk)


def evidence_get(user: Any, pk: int) -> NoticeEvidence:
    return get_scoped_or_404(NoticeEvidence.objects.select_related("notice"), user, "view", pk=pk)


def portal_vendor(user: Any, vendor_id: str | None) -> Vendor:
    """The vendor the portal shows: `?vendor=` for whole-view roles (404 if unknown), else the
    manager's own vendor; a vendor manager asking for another vendor gets 404."""
    scope = scope_for(user)
    vendors = restrict(Vendor.objects.all(), user, "view")
    if vendor_id:
        return get_scoped_or_404(Vendor.objects.all(), user, "view", pk=vendor_id)
    if scope.vendor_ids:
        return vendors.filter(pk__in=scope.vendor_ids).order_by("name")[0]
    if scope.whole_view:
        first = vendors.order_by("name").first()
        if first is not None:
            return first
    raise Http404


def published_results(user: Any, vendor: Vendor) -> QuerySet[Appraisal]:
    """The vendor's workers' published results (results the subject side may see)."""
    qs = restrict(Appraisal.objects.all(), user, "view").filter(
        vendor=vendor, subject_kind="worker", published_at__isnull=False,
        state__in=PUBLISHED_APPRAISAL_STATES,
    )
    return qs.select_related("cycle", "worker").order_by("-cycle__end_date", "subject_name")


def standing_of(user: Any, vendor: Vendor) -> dict[str, Any] | None:
    """The vendor's current standing and the consequences its band carries (standings app);
    None when that app has no standings model (it was written in parallel with this one)."""
    try:
        standing_model = apps.get_model("standings", "VendorStanding")
        band_model = apps.get_model("standings", "StandingBand")
    except LookupError:
        return None
    row = restrict(standing_model._default_manager.all(), user, "view").filter(
        vendor=vendor, is_current=True).order_by("-created_at").first()
    if row is None:
        return {"row": None}
    band = band_model._default_manager.filter(code=row.code).first()
    consequences = []
    if band is not None:
        consequences = [str(f.verbose_name) for f in band._meta.get_fields()
                        if isinstance(f, BooleanField) and getattr(band, f.name)]
    return {"row": row, "band": band, "consequences": consequences}


def portal_data(user: Any, vendor: Vendor) -> dict[str, Any]:
    """Everything on the portal home; a constant number of queries whatever the vendor's size."""
    scorecards = list(restrict(Appraisal.objects.all(), user, "view").filter(
        vendor=vendor, subject_kind="vendor").select_related("cycle", "cycle_template").order_by("-cycle__end_date")[:4])
    latest = scorecards[0] if scorecards else None
    notices = list(restrict(RectificationNotice.objects.all(), user, "view").filter(vendor=vendor)
                   .select_related("plan").order_by("-created_at")[:20])
    audits = list(restrict(VendorAudit.objects.all(), user, "view").filter(vendor=vendor)
                  .select_related("checklist").order_by("-date")[:10])
    findings = list(restrict(AuditFinding.objects.all(), user, "view").filter(vendor=vendor, is_open=True)
                    .select_related("audit__checklist").order_by("severity", "due_date")[:20])
    contacts = list(restrict(EmergencyContact.objects.all(), user, "view").filter(vendor=vendor))
    return {
        "latest": latest,
        "breakdown": _breakdown(latest, user),
        "scorecards": scorecards,
        "notices": notices,
        "to_answer": [n for n in notices if n.state in OPEN_NOTICE_STATES],
        "audits": audits,
        "findings": findings,
        "contacts": contacts,
        "standing": standing_of(user, vendor),
    }


def _breakdown(appraisal: Appraisal | None, user: Any) -> list[dict[str, Any]]:
    """The scorecard's indicator lines once published (the cycles explain of one appraisal)."""
    if appraisal is None or appraisal.published_at is None:
        return []
    from outperform.cycles.queries import explain_for

    return [{"name": r["name"], "weight": r.get("weight"), "score": r.get("score")}
            for r in explain_for(appraisal, user)["indicators"]]
