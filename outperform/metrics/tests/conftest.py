import pytest


@pytest.fixture(autouse=True)
def _no_builtin_metrics(request):  # type: ignore[no-untyped-def]
    """Tests define the metrics they use; the built-ins (migration 0002) are checked on their own."""
    if "django_db" in {m.name for m in request.node.iter_markers()} or "world" in request.fixturenames:
        from outperform.metrics.models import Metric

        request.getfixturevalue("db")
        Metric.objects.filter(is_builtin=True).delete()
