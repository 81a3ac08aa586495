"""Record sources this app adds to `records.registry`, so metrics can count audit findings (e.g. the
compliance indicator: open severity-1/2 findings, overdue findings) per vendor and period."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from outperform.records.registry import RecordSource, register


def register_sources() -> None:
    from .models import AuditFinding

    register(RecordSource(
        key="audit_finding", model=AuditFinding, label=_("合规审查发现"), date_field="found_on",
        subject_paths={"vendor": "vendor"},
        fields={"severity": "number", "is_open": "bool", "overdue": "bool", "due_date": "date",
                "status": "choice"},
        natural_key=("id",),
    ))
