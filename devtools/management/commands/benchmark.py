"""Time the main pages as each demo role sees them, against a floor.

    DATABASE_URL=postgres://... python manage.py seed_demo --scale national
    DATABASE_URL=postgres://... python manage.py benchmark

Signs in as the demo users (both factors, as the tests do) and requests each main page `--repeat`
times through the whole middleware stack, recording the median and 95th percentile latency, the
number of SQL statements, and how the median request's time splits between waiting on the database
(the sum of its statements' times) and everything else (Python). The floor is the account page, a
signed-in page that does next to nothing beyond the middleware (session, user, second factor,
header); each page's median is printed as a ratio of the floor's. The floor is requested before
each request of a page and the ratio is taken to those requests, so that a machine that slows down
or speeds up during the run moves both alike.

The floor is also timed as it was before the user was read with what every page needs and the
session saved only when it changes (Django's ModelBackend, the session saved on every request), and
the Django admin's changelist of nominals (`devtools.benchmark_urls`, as a superuser) searches for
the same misspelt and exact names as the service's name search. Also times the annual report's
computation for the demo area, which runs in the background and is not a page. Prints a Markdown
table; fails if any page does not answer 200.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.test import Client
from django.test.utils import override_settings
from django.utils import timezone

from agencies.models import User
from cases.models import Level, Nominal, Status
from devtools.signed_in_client import signed_in_client
from mappa.audit.models import AuditEntry
from meetings.models import Action, PanelDay
from reporting.annual import annual_report
from reporting.forms import latest_reporting_year
from reporting.models import ReportRun, RunStatus
from reporting.tasks import generate_annual_report

FLOOR = "floor: account page"
FLOOR_BEFORE = "floor as it was: user read alone, session saved every request"
SEARCH_MISSPELT = "name search, misspelt"
SEARCH_EXACT = "name search, exact"
ADMIN_MISSPELT = "Django admin changelist, same misspelt names"
ADMIN_EXACT = "Django admin changelist, same exact names"
SIDE_BY_SIDE = [(SEARCH_MISSPELT, ADMIN_MISSPELT), (SEARCH_EXACT, ADMIN_EXACT)]
DEMO_AREA = "KENT"
ACCOUNT_BACKEND = "agencies.backends.AccountBackend"
# The floor as it was: the user read alone (their agency, area, roles and clearance each by a query
# of its own when a page asks) and the session written back on every request.
PREVIOUS_STACK = {
    "AUTHENTICATION_BACKENDS": [
        "django.contrib.auth.backends.ModelBackend" if backend == ACCOUNT_BACKEND else backend
        for backend in settings.AUTHENTICATION_BACKENDS
    ],
    "SESSION_SAVE_EVERY_REQUEST": True,
}


@dataclass
class Page:
    label: str
    username: str
    paths: list[str]
    before_each: Callable[[], object] | None = None  # run before each request, outside the timing
    previous_stack: bool = False


@dataclass
class Timing:
    label: str
    median: float
    p95: float
    queries: list[int]
    floor: float  # the floor's median, requested alongside
    sql: float  # the median of the requests' time in SQL statements
    python: float  # the median of the rest


class _Statements:
    """Counts and times every SQL statement run on the connection while it is installed."""

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.count += 1


class Command(BaseCommand):
    help = "Time the main pages for each demo role against a trivial signed-in page; print a Markdown table."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--repeat", type=int, default=30)

    def handle(self, *args: Any, repeat: int, **options: Any) -> None:
        if connection.vendor != "postgresql":
            self.stderr.write("Warning: not PostgreSQL; the figures mean little.")
        if not User.objects.filter(username="coordinator").exists():
            raise CommandError("No demo users: run `manage.py seed_demo` (or `seed_demo --scale national`) first.")
        with override_settings(ROOT_URLCONF="devtools.benchmark_urls"):
            self._run(repeat)
        self._annual_report()

    def _run(self, repeat: int) -> None:
        self.stdout.write(
            f"{Nominal.objects.count()} nominals in {Nominal.objects.values('area').distinct().count()} areas "
            f"({Nominal.objects.filter(area__code=DEMO_AREA).count()} in {DEMO_AREA}), "
            f"{AuditEntry.objects.count()} audit entries; {repeat} requests per page\n"
        )
        clients: dict[tuple[str, bool], Client] = {}
        results = []
        pages = self._pages(repeat)
        floor_page = pages[0]
        for page in pages:
            key = (page.username, page.previous_stack)
            if key not in clients:
                user = User.objects.get(username=page.username)
                with override_settings(**(PREVIOUS_STACK if page.previous_stack else {})):
                    clients[key] = signed_in_client(user)
                # As a browser would send it; and without Django's test environment, whose record of
                # every template rendered and its context would be timed with each page.
                clients[key].defaults["HTTP_HOST"] = "localhost"
            floor = (clients[(floor_page.username, False)], floor_page.paths[0])
            results.append(_time(clients[key], page, floor=floor))
        self.stdout.write(
            "| page | as | median | 95th percentile | floor alongside | x floor | statements | in SQL | in Python |"
        )
        self.stdout.write("|---|---|---|---|---|---|---|---|---|")
        for page, timing in zip(pages, results, strict=True):
            queries = "-".join(str(count) for count in sorted({min(timing.queries), max(timing.queries)}))
            self.stdout.write(
                f"| {timing.label} | {page.username} | {timing.median:.1f} ms | {timing.p95:.1f} ms | "
                f"{timing.floor:.1f} ms | {timing.median / timing.floor:.1f} | {queries} | "
                f"{timing.sql:.1f} ms | {timing.python:.1f} ms |"
            )
        by_label = {timing.label: timing for timing in results}
        self.stdout.write("")
        for ours, theirs in SIDE_BY_SIDE:
            self.stdout.write(
                f"{ours}: {by_label[ours].median:.1f} ms; {theirs}: {by_label[theirs].median:.1f} ms "
                f"({by_label[theirs].median / by_label[ours].median:.1f} x ours)"
            )

    def _pages(self, repeat: int) -> list[Page]:
        rng = random.Random(5)  # noqa: S311  (choosing records to open)  # nosec B311
        kent = Nominal.objects.filter(area__code=DEMO_AREA, status=Status.ACTIVE)
        references = list(kent.order_by("?").values_list("case_reference", flat=True)[:repeat])
        names = list(kent.order_by("?").values_list("first_name", "last_name")[:repeat])
        led = list(
            kent.filter(lead_agency__users__username="police")
            .order_by("?")
            .values_list("case_reference", flat=True)[:repeat]
        )
        day = PanelDay.objects.filter(area__code=DEMO_AREA, date__lte=timezone.localdate()).order_by("-date").first()
        run = self._report_run()
        today = timezone.localdate()
        action = Action.objects.filter(meeting__area=run.area).order_by("-due").first()
        misspelt = [quote_plus(f"{_misspell(first, rng)} {_misspell(last, rng)}") for first, last in names]
        exact = [quote_plus(f"{first} {last}") for first, last in names]
        superuser = _superuser()
        return [
            Page(FLOOR, "coordinator", ["/account/"] * repeat),
            Page(FLOOR_BEFORE, "coordinator", ["/account/"] * repeat, previous_stack=True),
            Page("nominal list", "coordinator", ["/nominals/"] * repeat),
            Page(
                "nominal list, Level 2 sorted by level",
                "coordinator",
                [f"/nominals/?level={Level.LEVEL_2}&sort=level"] * repeat,
            ),
            Page(SEARCH_MISSPELT, "coordinator", [f"/nominals/?q={name}" for name in misspelt]),
            Page(ADMIN_MISSPELT, superuser, [f"/admin/cases/nominal/?q={name}" for name in misspelt]),
            Page(SEARCH_EXACT, "coordinator", [f"/nominals/?q={name}" for name in exact]),
            Page(ADMIN_EXACT, superuser, [f"/admin/cases/nominal/?q={name}" for name in exact]),
            Page("nominal page", "coordinator", [f"/nominals/{reference}/" for reference in references]),
            Page("nominal list (practitioner)", "police", ["/nominals/"] * repeat),
            Page(
                "nominal page (lead agency)", "police", [f"/nominals/{reference}/" for reference in led or references]
            ),
            Page("referral queue", "coordinator", ["/referrals/queue/"] * repeat),
            Page("panel day", "coordinator", [f"/meetings/panel-days/{day.pk if day else 0}/"] * repeat),
            Page("agency workspace", "housing", ["/meetings/work/"] * repeat),
            Page("my meetings", "chair", ["/meetings/"] * repeat),
            Page(
                "audit search, by kind and date",
                "auditor",
                [f"/audit/?event=view&since={today.replace(day=1):%d/%m/%Y}"] * repeat,
            ),
            Page(
                "audit: a nominal's history", "auditor", [f"/audit/nominals/{reference}/" for reference in references]
            ),
            Page("audit: a user's activity", "auditor", ["/audit/users/police/"] * repeat),
            Page("KPI dashboard", "coordinator", ["/statistics/"] * repeat),
            Page(
                "KPI dashboard, just after an action is updated",
                "coordinator",
                ["/statistics/"] * repeat,
                before_each=action.save if action else None,  # as an agency's update does, signals and all
            ),
            Page("annual report (prepared)", "coordinator", [f"/statistics/annual-reports/{run.pk}/"] * repeat),
        ]

    def _report_run(self) -> ReportRun:
        year = latest_reporting_year(timezone.localdate())
        coordinator = User.objects.get(username="coordinator")
        assert coordinator.area is not None  # noqa: S101  (the demo co-ordinator has an agency)  # nosec B101
        run = ReportRun.objects.filter(area=coordinator.area, year=year, status=RunStatus.DONE).first()
        if run is None:
            run = ReportRun.objects.create(area=coordinator.area, year=year, requested_by=coordinator)
            generate_annual_report(run.pk)
        return run

    def _annual_report(self) -> None:
        area = User.objects.get(username="coordinator").area
        assert area is not None  # noqa: S101  (the demo co-ordinator has an agency)  # nosec B101
        year = latest_reporting_year(timezone.localdate())
        annual_report(area, year)
        timings = []
        for _ in range(5):
            started = time.perf_counter()
            annual_report(area, year)
            timings.append((time.perf_counter() - started) * 1000)
        self.stdout.write(
            f"\nAnnual report {year}-{str(year + 1)[-2:]} for {area} computed in the background: "
            f"median {statistics.median(timings):.0f} ms, slowest {max(timings):.0f} ms"
        )


def _superuser() -> str:
    """A superuser for the Django admin's changelist, made (without an agency) if there is none."""
    superuser = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if superuser is None:
        superuser = User.objects.create_superuser("benchmark-superuser", email="", password=None)
    return superuser.username


def _time(client: Client, page: Page, *, floor: tuple[Client, str]) -> Timing:
    floor_client, floor_path = floor
    stack = PREVIOUS_STACK if page.previous_stack else {}
    with override_settings(**stack):
        client.get(page.paths[0])  # warm caches
    requests: list[tuple[float, _Statements]] = []
    floors = []
    for path in page.paths:
        floors.append(_elapsed(floor_client, floor_path, label=FLOOR)[0])
        if page.before_each is not None:
            page.before_each()
        with override_settings(**stack):
            requests.append(_elapsed(client, path, label=page.label))
    requests.sort(key=lambda request: request[0])
    timings = [elapsed for elapsed, _ in requests]
    sql = [statements.seconds * 1000 for _, statements in requests]
    return Timing(
        page.label,
        statistics.median(timings),
        timings[max(0, int(len(timings) * 0.95) - 1)],
        [statements.count for _, statements in requests],
        floor=statistics.median(floors),
        sql=statistics.median(sql),
        python=statistics.median(elapsed - in_sql for elapsed, in_sql in zip(timings, sql, strict=True)),
    )


def _elapsed(client: Client, path: str, *, label: str) -> tuple[float, _Statements]:
    """Milliseconds to answer one request, and its statements; a page that does not answer 200
    stops the benchmark."""
    statements = _Statements()
    with connection.execute_wrapper(statements):
        started = time.perf_counter()
        response = client.get(path)
        elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise CommandError(f"{label}: {path} answered {response.status_code}")
    return elapsed, statements


def _misspell(word: str, rng: random.Random) -> str:
    """Drop, double or swap one letter, as people do when typing a name they have heard."""
    if len(word) < 4:
        return word
    position = rng.randrange(1, len(word) - 1)
    change = rng.choice(["drop", "double", "swap"])
    if change == "drop":
        return word[:position] + word[position + 1 :]
    if change == "double":
        return word[:position] + word[position] + word[position:]
    return word[: position - 1] + word[position] + word[position - 1] + word[position + 1 :]
