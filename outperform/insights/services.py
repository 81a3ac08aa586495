"""Writes of the insights app: report schedules (audited) and their monthly sending."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone

from outperform.access.scoping import scope_for
from outperform.core.audit import snapshot
from outperform.core.models import User
from outperform.core.services import object_create, object_delete, object_update

from .models import ReportDelivery, ReportFormat, ReportKind, ReportSchedule

log = logging.getLogger(__name__)


def ensure_may_change(actor: User, schedule: ReportSchedule) -> None:
    if scope_for(actor).whole_write or schedule.owner_id == actor.pk:
        return
    raise PermissionDenied("只能修改自己创建的定时报告 / Only the owner may change this schedule")


@transaction.atomic
def schedule_save(*, actor: User, schedule: ReportSchedule, recipients: list[User] | None = None,
                  before: dict[str, Any] | None = None) -> ReportSchedule:
    scope = scope_for(actor)
    if not (scope.roles - {"auditor"}) and not scope.is_superuser:
        raise PermissionDenied("审计员只读 / The auditor only reads")
    if schedule.pk is None:
        schedule.owner = actor
        schedule = object_create(actor=actor, obj=schedule)
    else:
        ensure_may_change(actor, schedule)
        schedule = object_update(actor=actor, obj=schedule, before=before or {})
    if recipients is not None:
        schedule.recipients.set(recipients)
    return schedule


@transaction.atomic
def schedule_delete(*, actor: User, schedule: ReportSchedule) -> None:
    ensure_may_change(actor, schedule)
    object_delete(actor=actor, obj=schedule)


def schedule_snapshot(schedule: ReportSchedule) -> dict[str, Any]:
    return snapshot(schedule)


def build_attachment(schedule: ReportSchedule) -> tuple[str, bytes, str] | None:
    """(filename, content, mimetype) of the schedule's report, built with its owner's scope; None
    when there is no cycle with results the owner may see."""
    from . import selectors
    from .reports import data
    from .reports.pdf import render_pdf, tables_xlsx

    owner = schedule.owner
    cycles = selectors.visible_cycles(owner)
    cycle = next((c for c in cycles if c.pk == schedule.cycle_id), None) if schedule.cycle_id else (
        cycles[0] if cycles else None)
    if cycle is None:
        return None
    department_id = schedule.department_id if schedule.kind == ReportKind.DEPARTMENT else None
    vendor_id = schedule.vendor_id if schedule.kind == ReportKind.VENDOR else None
    report = data.group_report(owner, cycle.pk, department_id=department_id, vendor_id=vendor_id)
    stem = f"{schedule.get_kind_display()}-{cycle.name}-{timezone.localdate():%Y%m}"
    if schedule.kind == ReportKind.RESULTS:
        filters = selectors.Filters(cycle_id=cycle.pk, department_id=schedule.department_id,
                                    vendor_id=schedule.vendor_id, position_id=schedule.position_id)
        table = data.people_table(owner, cycle, filters)
        return (f"{stem}.xlsx", tables_xlsx([table]),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    if schedule.format == ReportFormat.XLSX:
        return (f"{stem}.xlsx", tables_xlsx(report["tables"]),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    from .views.reports import group_title

    pdf = render_pdf("insights/reports/group.html", {**report, "title": group_title(report["kind"])})
    return f"{stem}.pdf", pdf, "application/pdf"


def send_scheduled_reports(*, today: Any = None) -> dict[str, int]:
    """Send every active schedule whose day of the month has come and that was not yet sent this
    month. The (schedule, month) delivery row is written in the same transaction as the sending, so
    a run repeated the same day (or by two beat processes) sends nothing twice, and a failed send is
    tried again by the next run."""
    today = today or timezone.localdate()
    month = f"{today:%Y-%m}"
    summary = {"sent": 0, "skipped": 0, "failed": 0}
    due = (ReportSchedule.objects.filter(active=True, day_of_month__lte=today.day)
           .exclude(deliveries__month=month).select_related("owner").prefetch_related("recipients"))
    for schedule in due:
        addresses = sorted({u.email for u in schedule.recipients.all() if u.email} | set(schedule.address_list()))
        if not addresses:
            summary["skipped"] += 1
            continue
        try:
            with transaction.atomic():
                delivery = ReportDelivery.objects.create(schedule=schedule, month=month,
                                                         recipients=", ".join(addresses))
                attachment = build_attachment(schedule)
                if attachment is None:
                    raise LookupError("no cycle with results")
                filename, content, mimetype = attachment
                message = EmailMessage(
                    subject=f"[外包绩效] {schedule.name} · {month}",
                    body=f"{schedule.name}（{schedule.get_kind_display()}），{month}。\n"
                         f"This is the monthly report “{schedule.name}”, attached.",
                    from_email=settings.DEFAULT_FROM_EMAIL, to=addresses,
                )
                message.attach(filename, content, mimetype)
                message.send()
                delivery.filename = filename
                delivery.save(update_fields=["filename"])
        except IntegrityError:
            summary["skipped"] += 1  # sent meanwhile by another run
        except Exception:
            log.exception("scheduled report %s failed", schedule.pk)
            summary["failed"] += 1
        else:
            summary["sent"] += 1
    return summary
