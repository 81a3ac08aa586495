"""A Redis cache that degrades instead of failing.

The cache carries job progress and login-failure counters. When Redis is down the pages must still
serve: reads answer "not cached" (the default), writes are dropped, and each failure is logged.
Login throttling then counts nothing until Redis is back — the password policy still applies —
which is the trade the issue asks for ("the web app still serves").
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("outperform.cache")
_DOWN = (RedisConnectionError, RedisTimeoutError, OSError)


class ResilientRedisCache(RedisCache):
    def _safe(self, op: str, default: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return getattr(super(), op)(*args, **kwargs)
        except _DOWN as exc:
            logger.warning("cache unavailable (%s): %s", op, exc)
            return default

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return self._safe("get", default, key, default, version)

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        result: dict[Any, Any] = self._safe("get_many", {}, keys, version)
        return result

    def set(self, key: Any, value: Any, timeout: Any = 300, version: int | None = None) -> None:
        self._safe("set", None, key, value, timeout, version)

    def add(self, key: Any, value: Any, timeout: Any = 300, version: int | None = None) -> bool:
        result: bool = self._safe("add", False, key, value, timeout, version)
        return result

    def set_many(self, data: dict[Any, Any], timeout: Any = 300, version: int | None = None) -> list[Any]:
        result: list[Any] = self._safe("set_many", [], data, timeout, version)
        return result

    def delete(self, key: Any, version: int | None = None) -> bool:
        result: bool = self._safe("delete", False, key, version)
        return result

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        result: int = self._safe("incr", delta, key, delta, version)
        return result

    def touch(self, key: Any, timeout: Any = 300, version: int | None = None) -> bool:
        result: bool = self._safe("touch", False, key, timeout, version)
        return result

    def has_key(self, key: Any, version: int | None = None) -> bool:
        result: bool = self._safe("has_key", False, key, version)
        return result
