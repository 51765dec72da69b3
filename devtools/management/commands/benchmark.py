"""Time the main pages as each demo role sees them, against a floor.

    DATABASE_URL=postgres://... python manage.py seed_demo --scale national
    DATABASE_URL=postgres://... python manage.py benchmark

Signs in as the demo users (both factors, as the tests do) and requests each main page `--repeat`
times through the whole middleware stack, recording the median and 95th percentile latency and the
number of queries. The floor is the account page, a signed-in page that does next to nothing beyond
the middleware (session, second factor, audit context); each page's median is printed as a ratio of
the floor's. The floor is requested before each request of a page and the ratio is taken to those
requests, so that a machine that slows down or speeds up during the run moves both alike. Also
times the annual report's computation for the demo area, which runs in the background and is not
a page. Prints a Markdown table; fails if any page does not answer 200.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, setup_test_environment
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
DEMO_AREA = "KENT"


@dataclass
class Page:
    label: str
    username: str
    paths: list[str]
    before_each: Callable[[], object] | None = None  # run before each request, outside the timing


@dataclass
class Timing:
    label: str
    median: float
    p95: float
    queries: list[int]
    floor: float  # the floor's median, requested alongside


class Command(BaseCommand):
    help = "Time the main pages for each demo role against a trivial signed-in page; print a Markdown table."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--repeat", type=int, default=30)

    def handle(self, *args: Any, repeat: int, **options: Any) -> None:
        if connection.vendor != "postgresql":
            self.stderr.write("Warning: not PostgreSQL; the figures mean little.")
        if not User.objects.filter(username="coordinator").exists():
            raise CommandError("No demo users: run `manage.py seed_demo` (or `seed_demo --scale national`) first.")
        setup_test_environment()
        self.stdout.write(
            f"{Nominal.objects.count()} nominals in {Nominal.objects.values('area').distinct().count()} areas "
            f"({Nominal.objects.filter(area__code=DEMO_AREA).count()} in {DEMO_AREA}), "
            f"{AuditEntry.objects.count()} audit entries; {repeat} requests per page\n"
        )
        clients: dict[str, Client] = {}
        results = []
        pages = self._pages(repeat)
        floor_page = pages[0]
        for page in pages:
            client = clients.get(page.username)
            if client is None:
                client = clients[page.username] = signed_in_client(User.objects.get(username=page.username))
            results.append(_time(client, page, floor=(clients[floor_page.username], floor_page.paths[0])))
        self.stdout.write("| page | as | median | 95th percentile | floor alongside | x floor | queries |")
        self.stdout.write("|---|---|---|---|---|---|---|")
        for page, timing in zip(pages, results, strict=True):
            queries = "-".join(str(count) for count in sorted({min(timing.queries), max(timing.queries)}))
            self.stdout.write(
                f"| {timing.label} | {page.username} | {timing.median:.1f} ms | {timing.p95:.1f} ms | "
                f"{timing.floor:.1f} ms | {timing.median / timing.floor:.1f} | {queries} |"
            )
        self._annual_report()

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
        return [
            Page(FLOOR, "coordinator", ["/account/"] * repeat),
            Page("nominal list", "coordinator", ["/nominals/"] * repeat),
            Page(
                "nominal list, Level 2 sorted by level",
                "coordinator",
                [f"/nominals/?level={Level.LEVEL_2}&sort=level"] * repeat,
            ),
            Page(
                "name search, misspelt",
                "coordinator",
                [f"/nominals/?q={_misspell(first, rng)}+{_misspell(last, rng)}" for first, last in names],
            ),
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


def _time(client: Client, page: Page, *, floor: tuple[Client, str]) -> Timing:
    floor_client, floor_path = floor
    client.get(page.paths[0])  # warm caches
    timings, floors, queries = [], [], []
    for path in page.paths:
        floors.append(_elapsed(floor_client, floor_path))
        if page.before_each is not None:
            page.before_each()
        with CaptureQueriesContext(connection) as captured:
            timings.append(_elapsed(client, path, label=page.label))
        queries.append(len(captured.captured_queries))
    timings.sort()
    return Timing(
        page.label,
        statistics.median(timings),
        timings[max(0, int(len(timings) * 0.95) - 1)],
        queries,
        floor=statistics.median(floors),
    )


def _elapsed(client: Client, path: str, *, label: str = FLOOR) -> float:
    """Milliseconds to answer one request; a page that does not answer 200 stops the benchmark."""
    started = time.perf_counter()
    response = client.get(path)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise CommandError(f"{label}: {path} answered {response.status_code}")
    return elapsed


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
