"""Notifications are written with the change that causes them and emailed exactly once, whatever
happens to the broker or the worker; emails say nothing about the case."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection, transaction
from kombu.exceptions import OperationalError

from mappa.celery import app
from meetings.models import Pillar
from meetings.services import action_add
from notifications import tasks
from notifications.models import EmailState, Kind, Notification
from notifications.services import notify
from tests.conftest import People
from tests.meeting_fixtures import MEETING_DAY, Setting
from tests.meetings.test_services import hold

ROOT = Path(__file__).resolve().parents[2]


def _reset_connections() -> None:
    """Forget the app's connection pools so the next publish connects to the broker_url now set.

    They are not closed: kombu keeps pools per broker URL, and the one for the real broker is reused."""
    app._pool = None
    app.amqp._producer_pool = None


def _notify(people: People, key: str = "test:1") -> None:
    notify(
        recipients=[people.housing_officer],
        kind=Kind.ACTION_ASSIGNED,
        title="An action",
        url="/meetings/work/",
        dedupe_key=key,
    )


@pytest.mark.django_db
def test_notification_is_written_in_the_same_transaction_as_the_change(people: People) -> None:
    def failing_change() -> None:
        with transaction.atomic():
            _notify(people)
            raise RuntimeError("the change fails")

    with pytest.raises(RuntimeError):
        failing_change()

    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_delivered_after_commit_exactly_once(people: People, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _notify(people)

    notification = Notification.objects.get()
    assert notification.email_state == EmailState.SENT
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [people.housing_officer.email]
    tasks.deliver_notification(notification.pk)
    tasks.sweep_notifications(older_than_seconds=0)
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_the_same_reminder_is_never_written_twice(people: People) -> None:
    _notify(people, key="reminder:7")
    _notify(people, key="reminder:7")

    assert Notification.objects.count() == 1


@pytest.mark.django_db
def test_broker_unreachable_the_change_commits_and_the_sweep_delivers_once(
    people: People, setting: Setting, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    meeting = hold(people, setting)
    Notification.objects.update(email_state=EmailState.SENT)  # only the new notification is waiting
    broker = app.conf.broker_url
    app.conf.task_always_eager = False
    app.conf.broker_url = "redis://127.0.0.1:9/0"  # type: ignore[misc]  # nothing listens there
    _reset_connections()
    try:
        with django_capture_on_commit_callbacks(execute=True):
            action = action_add(
                actor=people.coordinator,
                meeting=meeting,
                values={
                    "pillar": Pillar.SUPERVISION,
                    "description": "Home visit",
                    "owning_agency": people.housing,
                    "owner": None,
                    "due": MEETING_DAY + datetime.timedelta(days=7),
                },
            )
    finally:
        app.conf.broker_url = broker  # type: ignore[misc]
        app.conf.task_always_eager = True
        _reset_connections()

    waiting = Notification.objects.filter(kind=Kind.ACTION_ASSIGNED, recipient=people.housing_officer).get()
    assert action.pk is not None  # the change itself committed
    assert waiting.email_state == EmailState.PENDING
    assert not mail.outbox

    tasks.sweep_notifications(older_than_seconds=0)
    tasks.sweep_notifications(older_than_seconds=0)

    assert Notification.objects.get(pk=waiting.pk).email_state == EmailState.SENT
    assert [message.to for message in mail.outbox] == [[people.housing_officer.email]]
    assert waiting.get_absolute_url() in mail.outbox[0].body


@pytest.mark.django_db
def test_a_publish_error_never_breaks_the_request(
    people: People, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    def unreachable(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("Error 111 connecting to redis")

    monkeypatch.setattr(tasks.deliver_notification, "delay", unreachable)
    with django_capture_on_commit_callbacks(execute=True):
        _notify(people)

    assert Notification.objects.get().email_state == EmailState.PENDING


@pytest.mark.django_db
def test_a_delivery_interrupted_midway_is_delivered_again_but_the_email_goes_once(
    people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    _notify(people)
    notification = Notification.objects.get()
    real_send = tasks.send_mail
    calls = {"n": 0}

    def interrupted_once(*args: Any, **kwargs: Any) -> int:
        calls["n"] += 1
        if calls["n"] == 1:
            raise SystemExit("worker killed while sending")
        return real_send(*args, **kwargs)

    monkeypatch.setattr(tasks, "send_mail", interrupted_once)
    with pytest.raises(SystemExit):
        tasks.deliver_notification(notification.pk)
    assert Notification.objects.get(pk=notification.pk).email_state == EmailState.PENDING
    assert not mail.outbox

    tasks.deliver_notification(notification.pk)  # the broker redelivers the unacknowledged task
    tasks.deliver_notification(notification.pk)  # and perhaps again

    assert len(mail.outbox) == 1
    assert Notification.objects.get(pk=notification.pk).email_state == EmailState.SENT


@pytest.mark.django_db
def test_retries_stop_after_the_limit_and_the_failure_is_visible(
    people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.conftest import client_for

    _notify(people)
    notification = Notification.objects.get()

    def smtp_down(*args: Any, **kwargs: Any) -> int:
        raise OSError("Connection refused")

    monkeypatch.setattr(tasks, "send_mail", smtp_down)
    app.conf.task_eager_propagates = False  # let each retry run in turn, as a worker would
    try:
        tasks.deliver_notification.apply(args=[notification.pk])
    finally:
        app.conf.task_eager_propagates = True

    failed = Notification.objects.get(pk=notification.pk)
    assert failed.email_state == EmailState.FAILED
    assert failed.attempts == tasks.MAX_ATTEMPTS
    assert "Connection refused" in failed.last_error
    page = client_for(people.coordinator).get("/notifications/delivery-failures/").content.decode()
    assert "Connection refused" in page
    assert client_for(people.housing_officer).get("/notifications/delivery-failures/").status_code == 403


@pytest.mark.django_db
def test_emails_carry_no_personal_data(
    people: People, setting: Setting, django_capture_on_commit_callbacks: Any
) -> None:
    from meetings.services import meeting_invite

    nominal = setting.meeting.nominal
    with django_capture_on_commit_callbacks(execute=True):
        meeting_invite(actor=people.coordinator, meeting=setting.meeting, agency=setting.childrens)
        hold(people, setting)
        action_add(
            actor=people.coordinator,
            meeting=setting.meeting,
            values={
                "pillar": Pillar.SUPERVISION,
                "description": f"Visit {nominal.first_name} {nominal.last_name}",
                "owning_agency": people.housing,
                "owner": None,
                "due": MEETING_DAY + datetime.timedelta(days=7),
            },
        )

    assert mail.outbox
    secrets = [
        nominal.first_name,
        nominal.last_name,
        nominal.case_reference,
        nominal.crn,
        nominal.date_of_birth.strftime("%d/%m/%Y"),
        nominal.date_of_birth.isoformat(),
        "Visit",
        "Secret Street",
    ]
    for message in mail.outbox:
        text = f"{message.subject}\n{message.body}"
        for secret in filter(None, secrets):
            assert secret.lower() not in text.lower(), (secret, text)
        assert "/notifications/" in message.body


@pytest.mark.django_db
def test_opening_a_notification_marks_it_read_and_goes_to_its_page(people: People) -> None:
    from tests.conftest import client_for

    _notify(people)
    notification = Notification.objects.get()
    client = client_for(people.housing_officer)

    assert 'class="app-unread-count">1<' in client.get("/").content.decode()
    response = client.get(f"/notifications/{notification.pk}/")

    assert response["Location"] == "/meetings/work/"
    assert Notification.objects.get().read_at is not None
    assert client_for(people.coordinator).get(f"/notifications/{notification.pk}/").status_code == 404


@pytest.mark.skipif(
    not (settings.REDIS_URL and connection.vendor == "postgresql"),
    reason="a real worker needs Redis and a database it can share (PostgreSQL)",
)
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_delivers_a_notification_once(people: People, tmp_path: Path) -> None:
    queue = f"test-{uuid.uuid4().hex}"
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "EMAIL_FILE_PATH": str(tmp_path),
        "SECRET_KEY": "worker-in-tests-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "DEBUG": "false",
    }
    worker = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "mappa",
            "worker",
            "-Q",
            queue,
            "--pool",
            "solo",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
    )
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    try:
        with transaction.atomic():
            _notify(people)
        notification = Notification.objects.get()
        deadline = time.monotonic() + 60
        while Notification.objects.get(pk=notification.pk).email_state != EmailState.SENT:
            assert time.monotonic() < deadline, "the worker did not deliver the notification"
            time.sleep(0.5)
        tasks.sweep_notifications.delay(0)  # the sweep re-queues nothing that has been sent
        tasks.deliver_notification.delay(notification.pk)  # and a duplicate delivery does nothing
        time.sleep(3)
        assert len(list(tmp_path.iterdir())) == 1
    finally:
        app.conf.task_default_queue = "celery"
        worker.terminate()
        worker.wait(timeout=30)
