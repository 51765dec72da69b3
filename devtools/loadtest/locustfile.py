"""Simulated people browsing the service, for `manage.py load_test`; not imported by the app.

The command signs each simulated person in and writes their session cookie, role and the pages that
role may open (with weights) to a JSON file named by MAPPA_LOAD_TEST_SESSIONS. Each Locust user takes
the next session in turn and opens those pages, a weighted random one at a time. A request fails if
it answers 4xx or 5xx, or if it lands on the sign-in pages (the session was lost).

This file imports nothing from Django: Locust patches the standard library with gevent on import,
which the app must never run under.
"""

from __future__ import annotations

import itertools
import json
import os
import random
from pathlib import Path
from typing import TypedDict
from urllib.parse import urlsplit

from locust import HttpUser, between, task

SESSIONS_VARIABLE = "MAPPA_LOAD_TEST_SESSIONS"
SIGN_IN_PATH = "/sign-in/"


class Page(TypedDict):
    """One page a role opens: how Locust names it, how often, and the URLs it may take."""

    name: str
    weight: int
    paths: list[str]


class Session(TypedDict):
    """One signed-in person: their demo username, role, session cookie and pages."""

    username: str
    role: str
    cookie: str
    pages: list[Page]


class Plan(TypedDict):
    cookie_name: str
    sessions: list[Session]


def _load_plan() -> Plan:
    location = os.environ.get(SESSIONS_VARIABLE)
    if not location:
        raise RuntimeError(f"{SESSIONS_VARIABLE} is not set; run this through `manage.py load_test`.")
    plan: Plan = json.loads(Path(location).read_text())
    if not plan["sessions"]:
        raise RuntimeError(f"{location} holds no sessions.")
    return plan


PLAN = _load_plan()
_next_session = itertools.count()


class SignedInPerson(HttpUser):
    """A practitioner, co-ordinator, chair, agency worker or auditor, already signed in."""

    wait_time = between(0.5, 2)

    def on_start(self) -> None:
        sessions = PLAN["sessions"]
        self.person = sessions[next(_next_session) % len(sessions)]
        self.weights = [page["weight"] for page in self.person["pages"]]
        self.client.cookies.set(
            PLAN["cookie_name"], self.person["cookie"], domain=urlsplit(self.host or "").hostname or "", path="/"
        )

    @task
    def open_a_page(self) -> None:
        page = random.choices(self.person["pages"], weights=self.weights)[0]  # noqa: S311  (choosing a page, not security)  # nosec B311
        path = random.choice(page["paths"])  # noqa: S311  (as above)  # nosec B311
        with self.client.get(path, name=page["name"], catch_response=True) as response:
            if response.status_code >= 400:
                response.failure(f"{self.person['role']} got {response.status_code} from {path}")
            elif urlsplit(response.url or "").path.startswith(SIGN_IN_PATH):
                response.failure(f"{self.person['role']} was sent to sign in: the session was lost")
            else:
                response.success()
