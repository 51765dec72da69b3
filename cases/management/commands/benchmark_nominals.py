"""Time the nominal list and name search at scale.

    DATABASE_URL=postgres://... python manage.py benchmark_nominals --nominals 100000

Builds (once) a benchmark area holding the given number of generated nominals, then signs in as
its co-ordinator and times full requests through the whole middleware stack: the list page, a
filtered list, and searches for misspelt names. Prints the median and 95th percentile of each.
"""

from __future__ import annotations

import random
import statistics
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext, setup_test_environment
from django.utils import timezone

from agencies.demo import benchmark_area, benchmark_user
from agencies.models import Role, User
from cases.demo import generate_nominals
from cases.models import Nominal
from mappa.signed_in_client import signed_in_client

AREA_CODE = "BENCH"
CHUNK = 10_000


class Command(BaseCommand):
    help = "Benchmark the nominal list and name search on a generated area of the given size."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--nominals", type=int, default=100_000)
        parser.add_argument("--repeat", type=int, default=30)

    def handle(self, *args: Any, nominals: int, repeat: int, **options: Any) -> None:
        if connection.vendor != "postgresql":
            self.stderr.write("Warning: not PostgreSQL; search uses plain matching and timings mean little.")
        coordinator = self._area_with(nominals)
        setup_test_environment()
        client = signed_in_client(coordinator)
        rng = random.Random(7)  # noqa: S311  (choosing names to search for)  # nosec B311
        names = list(
            Nominal.objects.filter(area__code=AREA_CODE).order_by("?").values_list("first_name", "last_name")[:repeat]
        )
        searches = [f"{_misspell(first, rng)} {_misspell(last, rng)}" for first, last in names]
        cases: list[tuple[str, list[dict[str, str]]]] = [
            ("list page", [{}] * repeat),
            ("list filtered (level 2, sorted by level)", [{"level": "2", "sort": "level"}] * repeat),
            ("name search, misspelt", [{"q": term} for term in searches]),
            ("surname search, misspelt", [{"q": _misspell(last, rng)} for _, last in names]),
        ]
        self.stdout.write(
            f"{Nominal.objects.filter(area__code=AREA_CODE).count()} nominals in {AREA_CODE}, "
            f"{connection.vendor}, {repeat} requests each\n"
        )
        for label, queries in cases:
            timings, counts = [], set()
            client.get("/nominals/", queries[0])  # warm caches
            for params in queries:
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    response = client.get("/nominals/", params)
                    timings.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    raise CommandError(f"{label}: status {response.status_code}")
                counts.add(len(captured.captured_queries))
            timings.sort()
            p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
            self.stdout.write(
                f"{label:45} median {statistics.median(timings):7.1f} ms   p95 {p95:7.1f} ms   "
                f"queries {'/'.join(str(c) for c in sorted(counts))}"
            )

    def _area_with(self, wanted: int) -> User:
        area, police, _ = benchmark_area(AREA_CODE, "Benchmark")
        coordinator = benchmark_user("bench-coordinator", police, Role.COORDINATOR)
        have = Nominal.objects.filter(area=area).count()
        while have < wanted:
            count = min(CHUNK, wanted - have)
            started = time.perf_counter()
            generate_nominals(area=area, count=count, seed=have, today=timezone.localdate(), decided_by=coordinator)
            have += count
            self.stdout.write(f"generated {have} nominals ({time.perf_counter() - started:.1f} s for the last {count})")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        return coordinator


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
