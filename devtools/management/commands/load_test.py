"""A bounded load test over loopback: gunicorn serving the app, Locust driving it as signed-in people.

    DATABASE_URL=postgres://... REDIS_URL=redis://... DEBUG=true python manage.py load_test --users 20 --run-time 60

Needs the demo data (`manage.py seed_demo`) and Locust (in the dev extras). Each simulated person gets
their own session, made directly in the database as the tests make theirs (signed in, second factor
done), since one authenticator code cannot be shared by many people. The mix is mostly RA
practitioners, some co-ordinators and a few DTC agency staff, chairs and auditors; each role opens
only pages that authorization.toml lets it use, which is checked before the run. gunicorn and Locust
inherit this process's environment; with DEBUG on, the service answers plain HTTP on 127.0.0.1.

Prints, per page, the requests, failures, median and 95th percentile, and fails if any request
failed: an error status, or a lost session sending the person to sign in.

It writes to the database it is pointed at (sessions, which it removes afterwards, and sign-in and
record-view entries in the audit log), so point it at a development database, never production.
"""

from __future__ import annotations

import csv
import http.client
import importlib.util
import json
import os
import socket
import subprocess  # (starts gunicorn and Locust, with fixed arguments and no shell)  # nosec B404
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.urls import reverse

from agencies.models import Role, User
from cases.policy import nominal_access, nominals_visible_to
from devtools.signed_in_client import signed_in_client
from mappa.authorization import rule_for

LOCUSTFILE = Path(__file__).resolve().parents[2] / "loadtest" / "locustfile.py"
SESSIONS_VARIABLE = "MAPPA_LOAD_TEST_SESSIONS"  # read by the locustfile
NOMINALS_PER_SESSION = 3
READY_TIMEOUT_SECONDS = 30

# Who is signed in, per 20 simulated people: demo username, the role they act in, and how many.
MIX: list[tuple[str, Role, int]] = [
    ("probation", Role.RA_PRACTITIONER, 6),
    ("police", Role.RA_PRACTITIONER, 5),
    ("coordinator", Role.COORDINATOR, 4),
    ("housing", Role.DTC_STAFF, 2),
    ("childrens", Role.DTC_STAFF, 1),
    ("chair", Role.CHAIR, 1),
    ("auditor", Role.AUDITOR, 1),
]


@dataclass(frozen=True)
class Page:
    """A page a role opens, as Locust names it, and how often relative to the role's other pages."""

    view: str  # its URL name, as declared in authorization.toml
    name: str
    weight: int
    search: bool = False  # the list searched for the surname of a nominal the person may see
    nominal: bool = False  # one of the nominals the person may see


EVERYONE = [
    Page("home", "/", 3),
    Page("notifications:list", "/notifications/", 2),
    Page("meetings:my-meetings", "/meetings/", 1),
]
CASELOAD = [
    Page("cases:nominal-list", "/nominals/", 2),
    Page("cases:nominal-list", "/nominals/?q=<surname>", 2, search=True),
    Page("cases:nominal-detail", "/nominals/<reference>/", 3, nominal=True),
]
PAGES: dict[Role, list[Page]] = {
    Role.RA_PRACTITIONER: [
        *EVERYONE,
        *CASELOAD,
        Page("referrals:referral-list", "/referrals/", 1),
        Page("meetings:work", "/meetings/work/", 1),
    ],
    Role.COORDINATOR: [
        *EVERYONE,
        *CASELOAD,
        Page("referrals:queue", "/referrals/queue/", 2),
        Page("meetings:panel-day-list", "/meetings/panel-days/", 1),
        Page("statistics:dashboard", "/statistics/", 1),
    ],
    Role.DTC_STAFF: [
        *EVERYONE,
        Page("meetings:work", "/meetings/work/", 3),
        Page("cases:nominal-list", "/nominals/", 1),
        Page("cases:nominal-detail", "/nominals/<reference>/", 1, nominal=True),
    ],
    Role.CHAIR: [
        *EVERYONE,
        Page("meetings:work", "/meetings/work/", 2),
        Page("cases:nominal-list", "/nominals/", 1),
        Page("cases:nominal-detail", "/nominals/<reference>/", 1, nominal=True),
    ],
    Role.AUDITOR: [
        *EVERYONE,
        Page("audit:search", "/audit/", 4),
        Page("cases:nominal-list", "/nominals/", 1),
    ],
}


class Command(BaseCommand):
    help = "Load test the service on loopback: gunicorn serving it, Locust driving signed-in demo users."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--users", type=int, default=20, help="simulated people, each with their own session")
        parser.add_argument("--run-time", type=int, default=60, help="seconds")
        parser.add_argument("--spawn-rate", type=float, default=5, help="people started per second")
        parser.add_argument("--host", default="127.0.0.1", help="loopback address to serve on (in ALLOWED_HOSTS)")
        parser.add_argument("--port", type=int, default=8001)
        parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")

    def handle(
        self,
        *args: Any,
        users: int,
        run_time: int,
        spawn_rate: float,
        host: str,
        port: int,
        workers: int,
        **options: Any,
    ) -> None:
        if min(users, run_time, workers) < 1 or spawn_rate <= 0:
            raise CommandError("--users, --run-time, --spawn-rate and --workers must be positive.")
        if settings.SESSION_COOKIE_SECURE or settings.SECURE_SSL_REDIRECT:
            raise CommandError("The load test speaks plain HTTP on loopback: run it with DEBUG=true.")
        if importlib.util.find_spec("locust") is None:
            raise CommandError("Locust is not installed: pip install -e '.[dev]'.")
        _check_pages_are_allowed()
        _check_port_is_free(host, port)
        people = _people(users)
        sessions = [_session(user, role) for user, role in people]
        self.stdout.write(
            f"{users} signed-in sessions: "
            + ", ".join(f"{count} {name}" for name, count in Counter(user.username for user, _ in people).items())
        )
        try:
            with tempfile.TemporaryDirectory(prefix="mappa-load-test-") as work:
                self._run(Path(work), sessions, users, run_time, spawn_rate, host, port, workers)
        finally:
            Session.objects.filter(session_key__in=[session["cookie"] for session in sessions]).delete()

    def _run(
        self,
        work: Path,
        sessions: list[dict[str, Any]],
        users: int,
        run_time: int,
        spawn_rate: float,
        host: str,
        port: int,
        workers: int,
    ) -> None:
        plan = work / "sessions.json"
        plan.write_text(json.dumps({"cookie_name": settings.SESSION_COOKIE_NAME, "sessions": sessions}))
        server_log = work / "gunicorn.log"
        locust_log = work / "locust.log"
        with server_log.open("wb") as server_output:
            server = subprocess.Popen(  # noqa: S603  (this Python's gunicorn, fixed arguments, no shell)  # nosec B603
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "mappa.wsgi:application",
                    "--bind",
                    f"{host}:{port}",
                    "--workers",
                    str(workers),
                    # gunicorn's default control socket is one path per user; another gunicorn may hold it.
                    "--no-control-socket",
                ],
                cwd=settings.BASE_DIR,
                env=os.environ.copy(),
                stdout=server_output,
                stderr=subprocess.STDOUT,
            )
            try:
                _wait_until_healthy(server, host, port, server_log)
                self.stdout.write(
                    f"gunicorn ({workers} workers) on http://{host}:{port}; Locust for {run_time} s "
                    f"with {users} users starting at {spawn_rate:g} a second..."
                )
                with locust_log.open("wb") as locust_output:
                    locust = subprocess.run(  # noqa: S603  (this Python's Locust, fixed arguments, no shell)  # nosec B603
                        [
                            sys.executable,
                            "-m",
                            "locust",
                            "-f",
                            str(LOCUSTFILE),
                            "--headless",
                            "--users",
                            str(users),
                            "--spawn-rate",
                            str(spawn_rate),
                            "--run-time",
                            f"{run_time}s",
                            "--host",
                            f"http://{host}:{port}",
                            "--csv",
                            str(work / "results"),
                            "--only-summary",
                        ],
                        cwd=settings.BASE_DIR,
                        env={**os.environ, SESSIONS_VARIABLE: str(plan)},
                        stdout=locust_output,
                        stderr=subprocess.STDOUT,
                        timeout=run_time + 120,
                        check=False,
                    )
            finally:
                server.terminate()
                try:
                    server.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()
        self._report(work, locust.returncode, locust_log, server_log)

    def _report(self, work: Path, returncode: int, locust_log: Path, server_log: Path) -> None:
        stats = work / "results_stats.csv"
        if not stats.exists():
            raise CommandError(f"Locust wrote no results (exit code {returncode}):\n{_tail(locust_log)}")
        with stats.open(newline="") as file:
            rows = list(csv.DictReader(file))
        pages = sorted((row for row in rows if row["Name"] != "Aggregated"), key=lambda row: row["Name"])
        total = next(row for row in rows if row["Name"] == "Aggregated")
        width = max(len("Page"), *(len(row["Name"]) for row in rows))
        self.stdout.write(f"\n{'Page':{width}}  {'requests':>8}  {'failures':>8}  {'median ms':>9}  {'95% ms':>7}")
        for row in [*pages, total]:
            name = "Total" if row is total else row["Name"]
            self.stdout.write(
                f"{name:{width}}  {row['Request Count']:>8}  {row['Failure Count']:>8}  "
                f"{row['Median Response Time']:>9}  {row['95%']:>7}"
            )
        failures = int(total["Failure Count"])
        if failures:
            with (work / "results_failures.csv").open(newline="") as file:
                for row in csv.DictReader(file):
                    self.stderr.write(f"{row['Occurrences']} x {row['Name']}: {row['Error']}")
            raise CommandError(f"{failures} of {total['Request Count']} requests failed.\n{_tail(server_log)}")
        if int(total["Request Count"]) == 0:
            raise CommandError(f"No requests were made.\n{_tail(locust_log)}")
        if returncode != 0:
            raise CommandError(f"Locust exited with code {returncode}:\n{_tail(locust_log)}")
        self.stdout.write(self.style.SUCCESS(f"\nNo failures in {total['Request Count']} requests."))


def _check_pages_are_allowed() -> None:
    """Every page in the plan is one authorization.toml lets its role use, so none is refused."""
    for role, pages in PAGES.items():
        for page in pages:
            rule = rule_for(page.view)
            allowed = rule is not None and (
                rule.allows(role) if rule.subject == "none" else bool((rule.allow or {}).get(role))
            )
            if not allowed:
                raise CommandError(f"authorization.toml does not let {role.label} use {page.view} ({page.name}).")


def _check_port_is_free(host: str, port: int) -> None:
    """So that the health check cannot be answered by some other server already on the port."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn does: TIME_WAIT is no obstacle
        try:
            probe.bind((host, port))
        except OSError as error:
            raise CommandError(f"Cannot listen on {host}:{port} ({error}); choose another --port.") from error


def _people(count: int) -> list[tuple[User, Role]]:
    """The demo users to sign in, `count` in all, in the proportions of MIX and interleaved (the
    smooth weighted round robin), so that a short run still has a mix."""
    try:
        found = {user.username: user for user in User.objects.filter(username__in=[name for name, _, _ in MIX])}
    except DatabaseError as error:
        raise CommandError(
            f"Cannot read the users ({error}): run `manage.py migrate` and `manage.py seed_demo`."
        ) from error
    missing = [name for name, _, _ in MIX if name not in found]
    if missing:
        raise CommandError(f"No demo users {', '.join(missing)}: run `manage.py seed_demo` first.")
    for name, role, _ in MIX:
        if not found[name].is_active or not found[name].has_role(role):
            raise CommandError(f"The demo user {name} is not an active {role.label}; run `manage.py seed_demo`.")
    total = sum(weight for _, _, weight in MIX)
    current = [0] * len(MIX)
    chosen = []
    for _ in range(count):
        current = [now + weight for now, (_, _, weight) in zip(current, MIX, strict=True)]
        best = current.index(max(current))
        current[best] -= total
        chosen.append((found[MIX[best][0]], MIX[best][1]))
    return chosen


def _session(user: User, role: Role) -> dict[str, Any]:
    """A new signed-in session for the user, and the pages their role opens with it."""
    cookie = signed_in_client(user).cookies[settings.SESSION_COOKIE_NAME].value
    visible = nominals_visible_to(user).select_related("area", "lead_agency")
    nominals = [
        nominal
        for nominal in visible.order_by("?")[: NOMINALS_PER_SESSION * 2]
        if (access := nominal_access(user, nominal)) is not None and not access.needs_purpose
    ][:NOMINALS_PER_SESSION]
    pages = []
    for page in PAGES[role]:
        if page.search:
            paths = [f"{reverse(page.view)}?{urlencode({'q': nominal.last_name})}" for nominal in nominals]
        elif page.nominal:
            paths = [reverse(page.view, args=[nominal.case_reference]) for nominal in nominals]
        else:
            paths = [reverse(page.view)]
        if paths:
            pages.append({"name": page.name, "weight": page.weight, "paths": paths})
    return {"username": user.username, "role": role.value, "cookie": cookie, "pages": pages}


def _wait_until_healthy(server: subprocess.Popen[bytes], host: str, port: int, log: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise CommandError(f"gunicorn exited with code {server.returncode}:\n{_tail(log)}")
        connection = http.client.HTTPConnection(host, port, timeout=2)
        try:
            connection.request("GET", reverse("healthz"))
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass  # not listening yet
        finally:
            connection.close()
        time.sleep(0.25)
    raise CommandError(f"gunicorn did not answer {reverse('healthz')} within {READY_TIMEOUT_SECONDS} s:\n{_tail(log)}")


def _tail(log: Path, lines: int = 20) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:]) if log.exists() else ""
