"""The built-in definitions fit the registered sources and serve the built-in indicators."""

import pytest

from outperform.metrics.builtin import BUILTIN, load_builtin
from outperform.metrics.models import Metric

pytestmark = pytest.mark.django_db


def test_every_builtin_definition_validates_against_its_source():
    assert load_builtin(Metric) == len(BUILTIN)
    for m in Metric.objects.all():
        m.full_clean()  # raises with the field named if a source changed under it
    assert load_builtin(Metric) == 0  # existing codes are kept


def test_builtin_indicators_find_their_metrics():
    from outperform.indicators.builtin import INDICATORS

    load_builtin(Metric)
    codes = set(Metric.objects.values_list("code", flat=True))
    served = {i["metric"] for i in INDICATORS if i.get("kind") == "quantitative" and i.get("metric")} & codes
    assert {"on_time_rate", "delivery_on_time_rate", "customer_satisfaction", "satisfaction_score", "error_rate",
            "resolution_rate", "sla_attainment_rate", "training_completion_rate", "avg_days_to_fill",
            "innovation_proposals", "overdue_complaints", "security_incidents", "compliance_violations",
            "tasks_done"} <= served
