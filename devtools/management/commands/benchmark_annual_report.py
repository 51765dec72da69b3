"""Time the annual report for a large area with ten years of history.

    DATABASE_URL=postgres://... python manage.py benchmark_annual_report --nominals 11000

Builds (once) a benchmark area of generated nominals and thickens their histories to ten years:
spells at Level 2 or 3 that ended, custody and release, recalls, breaches, orders, and people who
moved in from a neighbouring area. Then computes the report for several years, each several times,
and prints the median and slowest time and the number of queries.
"""

from __future__ import annotations

import datetime
import random
import statistics
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agencies.models import Area, AreaPopulation, Role
from cases.models import Event, EventKind, LevelPeriod, Nominal, Order, OrderKind, Source
from devtools.demo.agencies import benchmark_area, benchmark_user
from devtools.demo.cases import generate_nominals
from reporting.annual import annual_report
from reporting.forms import latest_reporting_year

AREA_CODE = "BENCHAR"
NEIGHBOUR_CODE = "BENCHNB"
CHUNK = 5_000
YEARS = 10


class Command(BaseCommand):
    help = "Benchmark the annual report on a generated area with ten years of history."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--nominals", type=int, default=11_000)
        parser.add_argument("--repeat", type=int, default=5)

    def handle(self, *args: Any, nominals: int, repeat: int, **options: Any) -> None:
        if connection.vendor != "postgresql":
            self.stderr.write("Warning: not PostgreSQL; the figures mean little.")
        area = self._area_with(nominals)
        counts = {
            "nominals": Nominal.objects.filter(area=area).count(),
            "level periods": LevelPeriod.objects.filter(nominal__area=area).count(),
            "events": Event.objects.filter(nominal__area=area).count(),
            "orders": Order.objects.filter(nominal__area=area).count(),
        }
        self.stdout.write(", ".join(f"{value} {name}" for name, value in counts.items()) + f" in {AREA_CODE}")
        latest = latest_reporting_year(timezone.localdate())
        for year in (latest - 1, latest - 3, latest - 6):
            annual_report(area, year)  # warm the caches
            timings, queries = [], set()
            for _ in range(repeat):
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    report = annual_report(area, year)
                    timings.append((time.perf_counter() - started) * 1000)
                queries.add(len(captured.captured_queries))
            eligible = report.table("eligible").cell("Total", 3)
            self.stdout.write(
                f"annual report {year}-{str(year + 1)[-2:]}: median {statistics.median(timings):7.1f} ms   "
                f"slowest {max(timings):7.1f} ms   queries {'/'.join(map(str, sorted(queries)))}   "
                f"({eligible} eligible on 31 March)"
            )

    def _area_with(self, wanted: int) -> Area:
        area, police, _ = benchmark_area(AREA_CODE, "Reporting")
        neighbour, _, _ = benchmark_area(NEIGHBOUR_CODE, "Neighbour", districts=0)
        coordinator = benchmark_user("bench-report-coordinator", police, Role.COORDINATOR)
        today = timezone.localdate()
        for year in range(today.year - YEARS, today.year + 1):
            AreaPopulation.objects.get_or_create(area=area, year=year, defaults={"population_aged_10_plus": 1_650_000})
        have = Nominal.objects.filter(area=area).count()
        while have < wanted:
            count = min(CHUNK, wanted - have)
            started = time.perf_counter()
            newest = Nominal.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            generate_nominals(area=area, count=count, seed=have + 1, today=today, decided_by=coordinator)
            _thicken(Nominal.objects.filter(area=area, pk__gt=newest), area, neighbour, today, seed=have)
            have += count
            self.stdout.write(f"generated {have} nominals ({time.perf_counter() - started:.1f} s for the last {count})")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        return area


@transaction.atomic
def _thicken(nominals: QuerySet[Nominal], area: Area, neighbour: Area, today: datetime.date, *, seed: int) -> None:
    """Give newly generated nominals ten years of history, starting from their first level period."""
    rng = random.Random(seed)  # noqa: S311  (reproducible benchmark data)  # nosec B311
    opening = list(LevelPeriod.objects.filter(nominal__in=nominals, end__isnull=True).select_related("nominal"))
    events: list[Event] = []
    orders: list[Order] = []
    periods: list[LevelPeriod] = []
    ended: list[LevelPeriod] = []
    span = datetime.timedelta(days=365 * YEARS)
    for period in opening:
        nominal = period.nominal
        earliest = today - span

        def day(after: datetime.date = earliest) -> datetime.date:
            return after + datetime.timedelta(days=rng.randint(0, max((today - after).days, 0)))

        for _ in range(rng.randint(0, 3)):  # custody and release, years ago
            went = day()
            events.append(Event(nominal=nominal, kind=EventKind.CUSTODY, date=went - span))
            events.append(
                Event(nominal=nominal, kind=EventKind.RELEASE, date=went - span + datetime.timedelta(days=90))
            )
        for kind in rng.sample(
            [
                EventKind.RECALL,
                EventKind.BREACH_NOTIFICATION_CAUTIONED,
                EventKind.BREACH_NOTIFICATION_CONVICTED,
                EventKind.BREACH_SHPO,
                EventKind.BREACH_SRO_NOTIFICATION,
            ],
            k=rng.randint(0, 2),
        ):
            events.append(Event(nominal=nominal, kind=kind, date=day(period.start)))
        if nominal.category == 1 and rng.random() < 0.3:
            orders.append(
                Order(
                    nominal=nominal,
                    kind=rng.choice([OrderKind.SHPO, OrderKind.SHPO, OrderKind.NOTIFICATION_ORDER]),
                    start=day(period.start),
                    foreign_travel_restriction=rng.random() < 0.05,
                )
            )
        if rng.random() < 0.02:  # moved in from the neighbouring area
            events.append(
                Event(
                    nominal=nominal, kind=EventKind.TRANSFER, date=day(period.start), from_area=neighbour, to_area=area
                )
            )
        if period.level == 1 and period.end is None and rng.random() < 0.15:  # a spell at Level 2 that ended
            start = day(period.start + datetime.timedelta(days=30))
            finish = start + datetime.timedelta(days=rng.randint(60, 700))
            if finish < today - datetime.timedelta(days=2):
                period.end = start - datetime.timedelta(days=1)
                ended.append(period)
                periods.append(_spell(period, 2, start, finish))
                periods.append(_spell(period, 1, finish + datetime.timedelta(days=1), None))
    LevelPeriod.objects.bulk_update(ended, ["end"], batch_size=2000)
    LevelPeriod.objects.bulk_create(periods, batch_size=2000)
    Event.objects.bulk_create(events, batch_size=2000)
    Order.objects.bulk_create(orders, batch_size=2000)


def _spell(opening: LevelPeriod, level: int, start: datetime.date, end: datetime.date | None) -> LevelPeriod:
    """A level period in the same episode as `opening`."""
    return LevelPeriod(
        nominal_id=opening.nominal_id,
        episode_id=opening.episode_id,
        level=level,
        start=start,
        end=end,
        reason="Benchmark history.",
        source=Source.MEETING,
    )
