import pytest


@pytest.fixture(autouse=True)
def _standing_defaults(request):  # type: ignore[no-untyped-def]
    """Transactional tests elsewhere in the run flush the data migrations' rows: put back the
    default bands and the built-in templates these tests rely on."""
    if "django_db_setup" not in request.fixturenames and not request.node.get_closest_marker("django_db"):
        return
    request.getfixturevalue("db")
    from outperform.indicators.builtin import load_builtin_library
    from outperform.indicators.models import Template
    from outperform.standings.defaults import install_defaults
    from outperform.standings.models import StandingBand, StandingPolicy

    install_defaults(StandingBand, StandingPolicy)
    if not Template.objects.filter(code="TPL-VENDOR-Q").exists():
        load_builtin_library()
