"""What a person sees while the database or the cache cannot be reached."""

from __future__ import annotations

from unittest import mock

import psycopg
import pytest
from django.db import OperationalError
from django.test import override_settings

from mappa.cache import FailSoftRedisCache
from tests.conftest import People, client_for

pytestmark = pytest.mark.django_db

NOBODY_LISTENING = "redis://127.0.0.1:9/0"  # the discard port: connections are refused at once
UNREACHABLE_CACHE = {
    "default": {
        "BACKEND": "mappa.cache.FailSoftRedisCache",
        "LOCATION": NOBODY_LISTENING,
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}


def _from_postgresql(cause: Exception) -> OperationalError:
    error = OperationalError(str(cause))
    error.__cause__ = cause  # as Django wraps the driver's errors
    return error


def test_a_database_that_cannot_be_reached_is_a_503_asking_to_try_again(people: People) -> None:
    client = client_for(people.coordinator)
    client.raise_request_exception = False
    shutting_down = _from_postgresql(psycopg.errors.AdminShutdown("the database system is shutting down"))
    with mock.patch("agencies.views.render", side_effect=shutting_down):
        response = client.get("/account/")
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert "unavailable for a moment" in response.content.decode()


@pytest.mark.parametrize(
    "failure",
    [
        KeyError("a bug"),
        _from_postgresql(psycopg.errors.QueryCanceled("canceling statement due to statement timeout")),
        OperationalError("no such column: cases_nominal.nickname"),  # SQLite's, a bug
    ],
)
def test_any_other_failure_is_still_a_500(people: People, failure: Exception) -> None:
    client = client_for(people.coordinator)
    client.raise_request_exception = False
    with mock.patch("agencies.views.render", side_effect=failure):
        response = client.get("/account/")
    assert response.status_code == 500


def test_an_unreachable_cache_answers_as_an_empty_one_that_keeps_nothing() -> None:
    cache = FailSoftRedisCache(NOBODY_LISTENING, {"OPTIONS": {"socket_connect_timeout": 1}})
    assert cache.get("figures", "worked out afresh") == "worked out afresh"
    assert cache.get_many(["a", "b"]) == {}
    assert cache.set("figures", 1) is None
    assert cache.add("lock", 1) is False  # a lock is never taken without the cache
    assert cache.delete("figures") is False
    assert cache.has_key("figures") is False
    with pytest.raises(ValueError, match="not found"):
        cache.incr("count")


def test_pages_that_use_the_cache_work_without_it(people: People) -> None:
    client = client_for(people.coordinator)
    with override_settings(CACHES=UNREACHABLE_CACHE):
        for path in ["/", "/account/", "/nominals/", "/statistics/"]:
            assert client.get(path).status_code == 200, path
