"""What every signed-in page costs before it does its own work: the floor of the benchmark."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.models import Role
from agencies.services import user_save
from tests.conftest import People, client_for

pytestmark = pytest.mark.django_db


def test_the_account_page_costs_five_statements(people: People) -> None:
    client = client_for(people.coordinator)
    client.get("/account/")
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/account/")
    assert response.status_code == 200
    # The table each statement reads (the last FROM: the user's roles are a subquery): the session;
    # the user with their agency, area and roles; their second-factor device; the page's own
    # Category 4 clearance; the header's unread count. Nothing is written.
    tables = [query["sql"].rsplit(" FROM ", 1)[1].split()[0].strip('"') for query in captured.captured_queries]
    assert tables == [
        "django_session",
        "agencies_user",
        "otp_totp_totpdevice",
        "agencies_areauserobjectpermission",
        "notifications_notification",
    ]
    page = response.content.decode()
    assert people.coordinator.agency.area.name in page
    assert "Co-ordinator" in page


def test_a_role_granted_or_taken_away_counts_from_the_next_request(people: People) -> None:
    client = client_for(people.coordinator)
    assert client.get("/referrals/queue/").status_code == 200
    user_save(actor=people.administrator, user=people.coordinator, roles=[Role.CHAIR])
    assert client.get("/referrals/queue/").status_code in (403, 404)
    assert "Chair" in client.get("/account/").content.decode()
    user_save(actor=people.administrator, user=people.coordinator, roles=[Role.COORDINATOR])
    assert client.get("/referrals/queue/").status_code == 200


def test_category4_clearance_given_or_taken_away_counts_from_the_next_request(people: People) -> None:
    client = client_for(people.coordinator)
    user_save(actor=people.administrator, user=people.coordinator, category4_cleared=True)
    assert "Cleared for" in client.get("/account/").content.decode()
    user_save(actor=people.administrator, user=people.coordinator, category4_cleared=False)
    assert "Not cleared" in client.get("/account/").content.decode()


def _session_writes(client_get: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as captured:
        client_get()
    return sum(
        query["sql"].startswith(("UPDATE", "INSERT")) and "django_session" in query["sql"]
        for query in captured.captured_queries
    )


def test_a_request_moves_the_idle_limit_on_only_once_a_minute_and_never_past_it(people: People) -> None:
    with time_machine.travel(datetime.datetime(2025, 6, 2, 9, 0, tzinfo=datetime.UTC), tick=False) as traveller:
        client = client_for(people.coordinator)  # signed in at 09:00:00
        traveller.shift(datetime.timedelta(seconds=59))
        assert _session_writes(lambda: client.get("/account/")) == 0  # 09:00:59: nothing to write
        traveller.shift(datetime.timedelta(seconds=842))
        # 09:15:01: only 14 minutes 2 seconds since the last request, but the idle limit last moved
        # at 09:00:00: the session has ended, a little early rather than ever late.
        assert client.get("/account/")["Location"].startswith("/sign-in/")

        client = client_for(people.coordinator)  # signed in at 09:15:01
        traveller.shift(datetime.timedelta(seconds=60))
        assert _session_writes(lambda: client.get("/account/")) == 1  # 09:16:01: the limit moves on
        traveller.shift(datetime.timedelta(minutes=14, seconds=59))
        assert client.get("/account/").status_code == 200  # 09:31:00, within 15 minutes of 09:16:01
