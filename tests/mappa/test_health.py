"""Liveness (/healthz) and readiness (/readyz): public, and nothing in them but statuses."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from mappa.celery import app as celery_app
from notifications.models import EmailState, Kind, Notification
from tests.conftest import People

pytestmark = pytest.mark.django_db
READY_KEYS = {"status", "database", "broker", "email", "oldest_unsent_email_seconds", "documents"}


def _email(people: People, state: str, minutes_ago: int) -> None:
    notification = Notification.objects.create(
        recipient=people.housing_officer,
        kind=Kind.ACTION_OVERDUE,
        title="Overdue",
        url="/meetings/work/",
        dedupe_key=f"{state}-{minutes_ago}",
        email_state=state,
    )
    created = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    Notification.objects.filter(pk=notification.pk).update(created_at=created)


def test_liveness_says_only_that_the_process_answers() -> None:
    response = Client().get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_ready_with_the_database_and_broker_up_and_no_email_waiting() -> None:
    response = Client().get("/readyz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "broker": "ok",
        "email": "ok",
        "oldest_unsent_email_seconds": None,
        "documents": "ok",
    }


def test_an_email_waiting_too_long_makes_the_service_not_ready(people: People, settings) -> None:  # type: ignore[no-untyped-def]
    settings.READY_MAX_UNSENT_EMAIL_SECONDS = 900
    _email(people, EmailState.SENT, minutes_ago=60)
    _email(people, EmailState.PENDING, minutes_ago=5)
    assert Client().get("/readyz").status_code == 200

    _email(people, EmailState.PENDING, minutes_ago=20)
    response = Client().get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert set(body) == READY_KEYS
    assert body["email"] == "delayed"
    assert 20 * 60 <= body["oldest_unsent_email_seconds"] < 21 * 60


def test_not_ready_without_the_database(monkeypatch: pytest.MonkeyPatch) -> None:
    def unavailable() -> None:
        raise ConnectionError("database down")

    monkeypatch.setattr(connection, "cursor", unavailable)

    response = Client().get("/readyz")

    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"
    assert set(response.json()) == READY_KEYS


def test_not_ready_without_the_broker(settings, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    settings.REDIS_URL = "redis://127.0.0.1:9/0"  # nothing listens on the discard port
    monkeypatch.setattr(celery_app.conf, "broker_url", settings.REDIS_URL)

    response = Client().get("/readyz")

    assert response.status_code == 503
    assert response.json()["broker"] == "unavailable"
