"""The `vendor_standing_drop` alert kind: the data source the alerts app left as a placeholder."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from outperform.alerts.kinds import Candidate, Param, RuleContext, register_kind

from . import calc, selectors
from .models import VendorStanding


def vendor_standing_drop(ctx: RuleContext) -> list[Candidate]:
    """Vendors whose current standing is at least `levels` bands below the one before (2 queries)."""
    levels = int(ctx.params.get("levels") or 1)
    cbands = selectors.calc_bands(selectors.bands())
    out = []
    for s in VendorStanding.objects.filter(is_current=True).exclude(previous_code="").select_related("vendor"):
        drop = calc.band_rank(s.code, cbands) - calc.band_rank(s.previous_code, cbands)
        if drop < levels:
            continue
        out.append(Candidate(
            dedup_key=f"vendor_standing_drop:{s.pk}",
            title=_("服务商评级下降：%(v)s %(old)s → %(new)s") % {"v": s.vendor.name, "old": s.previous_code,
                                                             "new": s.code},
            message=_("%(v)s 的综合评分为 %(score)s，评级由 %(old)s 降为 %(new)s（截至 %(p)s）。") % {
                "v": s.vendor.name, "score": s.score, "old": s.previous_code, "new": s.code, "p": s.period_label},
            subject=s.vendor.name, url=reverse("standings:vendor", args=[s.vendor_id]), vendor_id=s.vendor_id,
            escalate=drop >= 2, data={"levels": drop, "score": str(s.score)},
        ))
    return out


def register() -> None:
    register_kind(
        "vendor_standing_drop", gettext_lazy("服务商评级下降"), vendor_standing_drop,
        (Param("levels", gettext_lazy("下降级数"), "int", default=1, min=1, max=5),),
        description=gettext_lazy("服务商评级较上次下降达到设定级数时预警"),
    )
