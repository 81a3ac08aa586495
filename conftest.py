import pytest
from django.test import Client
from rest_framework.test import APIClient

from outperform.testing.world import World, build_world

pytest_plugins = ["outperform.testing.browser"]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The PostgreSQL run's "replica" is an empty second database, not a copy: only the router's
    # own test reads from it.
    settings.REPLICA_READS = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def world(db) -> World:  # type: ignore[no-untyped-def]
    return build_world()


@pytest.fixture
def client_for(world: World):  # type: ignore[no-untyped-def]
    def make(role: str) -> Client:
        client = Client()
        client.force_login(world.users[role])
        return client

    return make


@pytest.fixture
def api_for(world: World):  # type: ignore[no-untyped-def]
    def make(role: str) -> APIClient:
        client = APIClient()
        client.force_authenticate(world.users[role])
        return client

    return make


def _transactional(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        return True
    return bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Files with transactional tests run after all other files. Those tests end by flushing the
    database, which also removes the rows the data migrations installed (built-in indicators,
    calendars, checklists, bands…). pytest-django orders transactional tests last, but xdist's
    --dist loadfile hands out whole files in collection order, so the order must hold per file."""
    flushing = {item.nodeid.split("::")[0] for item in items if _transactional(item)}
    items.sort(key=lambda item: item.nodeid.split("::")[0] in flushing)


# (model label, migration module, function): the rows the data migrations install. A flush by a
# transactional test removes them; tests that need the database get them back (one query each to
# check, the seeding only after a flush).
_SEEDED = [
    ("indicators.Template", "outperform.indicators.migrations.0002_builtin_library", "load"),
    ("records.WorkCalendar", "outperform.records.migrations.0002_default_calendar_cn_2026", "seed"),
    ("metrics.Metric", "outperform.metrics.migrations.0002_builtin_metrics", "forwards"),
    ("compliance.ComplianceChecklist", "outperform.compliance.migrations.0002_default_checklists", "forwards"),
    ("standings.StandingBand", "outperform.standings.migrations.0002_default_bands", "create"),
]


@pytest.fixture(autouse=True)
def _data_migration_rows(request):  # type: ignore[no-untyped-def]
    if not (request.node.get_closest_marker("django_db") or {"db", "transactional_db"} & set(request.fixturenames)):
        return
    request.getfixturevalue("_django_db_helper")
    from importlib import import_module

    from django.apps import apps

    for label, module, function in _SEEDED:
        if not apps.get_model(label)._default_manager.exists():
            getattr(import_module(module), function)(apps, None)
