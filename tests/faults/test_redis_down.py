"""Redis down: the web app still serves (the cache degrades to "nothing cached")."""

from __future__ import annotations

import socket

import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse

from outperform.testing.world import World

DEAD_REDIS = {"default": {"BACKEND": "outperform.core.cache.ResilientRedisCache",
                          "LOCATION": "redis://127.0.0.1:1/0",
                          "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}}}
LIVE_REDIS = {"default": {"BACKEND": "outperform.core.cache.ResilientRedisCache",
                          "LOCATION": "redis://127.0.0.1:6379/13", "KEY_PREFIX": "outperform-test"}}


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.3).close()
        return True
    except OSError:
        return False


@override_settings(CACHES=DEAD_REDIS)
def test_pages_and_login_work_while_redis_is_down(world: World) -> None:
    assert cache.get("anything", "fallback") == "fallback"
    cache.set("k", "v")  # dropped, not raised
    assert cache.incr("counter") == 1

    client = Client()
    response = client.post(reverse("login"), {"username": world.users["hr"].username, "password": "Secret#2026pass"})
    assert response.status_code == 302, "log-in must work without the cache"
    for url in (reverse("core:home"), reverse("workers:workers_list"), "/api/v1/workers/"):
        assert client.get(url).status_code == 200, url


@pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379")
@override_settings(CACHES=LIVE_REDIS)
def test_the_same_cache_works_normally_when_redis_is_up() -> None:
    cache.set("job-progress", {"done": 3}, 30)
    assert cache.get("job-progress") == {"done": 3}
    assert cache.add("job-progress", "other") is False
    cache.delete("job-progress")
    assert cache.get("job-progress") is None
