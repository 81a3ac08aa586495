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
