"""The cache, which the service is faster with but never depends on.

While Redis cannot be reached, the cache answers as an empty one that keeps nothing: every read is a
miss, every write and deletion does nothing, and `add` (which the service uses as a lock) reports
that the key is taken, so that nothing that must run once runs twice. Pages work it out afresh;
sessions are in the database. A deletion lost this way cannot leave anything stale behind for long:
Redis is run without persistence, so one that restarts holds nothing, and every cached figure
expires by itself.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

WARN_EVERY_SECONDS = 30.0
_last_warning = 0.0

Result = TypeVar("Result")


def _answering(unavailable: Callable[..., Any]) -> Callable[[Callable[..., Result]], Callable[..., Result]]:
    """Run the cache operation; while Redis cannot be reached, answer `unavailable(*args, **kwargs)`."""

    def decorate(operation: Callable[..., Result]) -> Callable[..., Result]:
        @functools.wraps(operation)
        def run(self: FailSoftRedisCache, *args: Any, **kwargs: Any) -> Result:
            try:
                return operation(self, *args, **kwargs)
            except (RedisConnectionError, RedisTimeoutError) as error:
                _warn(error)
                return unavailable(*args, **kwargs)  # type: ignore[no-any-return]

        return run

    return decorate


def _warn(error: Exception) -> None:
    global _last_warning  # one warning per interval per process, not one per request
    now = time.monotonic()
    if now - _last_warning >= WARN_EVERY_SECONDS:
        _last_warning = now
        logger.warning("The cache cannot be reached; carrying on without it: %s", error)


def _default(key: Any, default: Any = None, *args: Any, **kwargs: Any) -> Any:
    return default


def _nothing(*args: Any, **kwargs: Any) -> None:
    return None


def _false(*args: Any, **kwargs: Any) -> bool:
    return False


def _none_found(*args: Any, **kwargs: Any) -> dict[str, Any]:
    return {}


def _none_kept(*args: Any, **kwargs: Any) -> list[str]:
    return []


def _missing(key: Any, *args: Any, **kwargs: Any) -> int:
    raise ValueError(f"Key {key!r} not found (the cache cannot be reached)")


class FailSoftRedisCache(RedisCache):
    get = _answering(_default)(RedisCache.get)
    get_many = _answering(_none_found)(RedisCache.get_many)
    has_key = _answering(_false)(RedisCache.has_key)
    set = _answering(_nothing)(RedisCache.set)
    set_many = _answering(_none_kept)(RedisCache.set_many)
    add = _answering(_false)(RedisCache.add)  # a lock not taken: whatever it guards waits its turn
    touch = _answering(_false)(RedisCache.touch)
    delete = _answering(_false)(RedisCache.delete)
    delete_many = _answering(_nothing)(RedisCache.delete_many)
    incr = _answering(_missing)(RedisCache.incr)
    clear = _answering(_false)(RedisCache.clear)
