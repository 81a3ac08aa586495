"""Survey responses as a record source, so metrics aggregate them like any record (e.g. CSAT =
mean of `score`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from outperform.records.registry import RecordSource, register

KEY = "survey_response"


def register_sources() -> None:
    from .models import Response

    register(RecordSource(
        key=KEY,
        model=Response,
        label=_("满意度调查答卷"),
        date_field="period_date",
        subject_paths={"vendor": "vendor", "worker": "worker", "project": "project", "department": "department"},
        fields={"score": "number", "submitted_on": "date", "period_date": "date"},
        natural_key=("external_id",),
        importer=None,
    ))
