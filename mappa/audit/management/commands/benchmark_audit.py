"""Time auditors' searches over millions of audit entries (PostgreSQL).

    DATABASE_URL=postgres://... python manage.py benchmark_audit --entries 5000000

Fills (once) the benchmark area's audit log to the number of entries asked for, properly hash-chained,
with COPY; then signs in as the area's auditor and times a nominal's history and a user's activity
through the whole middleware stack. Prints the median and 95th percentile of each.
"""

from __future__ import annotations

import datetime
import random
import statistics
import time
from types import SimpleNamespace
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, setup_test_environment
from django.utils import timezone
from psycopg.types.json import Jsonb

from agencies.demo import benchmark_area, benchmark_user
from agencies.models import Area, Role, User
from agencies.services import user_save
from cases.demo import generate_nominals
from cases.models import Nominal
from mappa.audit.models import AuditEntry, AuditEvent, entry_hash, last_hash, lock_chain
from mappa.signed_in_client import signed_in_client

AREA_CODE = "BENCH"
COLUMNS = (
    "content_type_id",
    "object_pk",
    "object_id",
    "object_repr",
    "action",
    "changes_text",
    "changes",
    "actor_id",
    "remote_addr",
    "timestamp",
    "additional_data",
    "event",
    "ground",
    "attempted_username",
    "nominal_id",
    "area_id",
    "prev_hash",
    "entry_hash",
)
EVENTS = [(AuditEvent.VIEW, 3, 80), (AuditEvent.CHANGE, 1, 10), (AuditEvent.SEARCH, 3, 5), (AuditEvent.SIGN_IN, 3, 5)]


class Command(BaseCommand):
    help = "Benchmark auditors' nominal-history and user-activity searches over a large audit log."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--entries", type=int, default=5_000_000)
        parser.add_argument("--repeat", type=int, default=30)

    def handle(self, *args: Any, entries: int, repeat: int, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("This benchmark needs PostgreSQL (set DATABASE_URL).")
        area, auditor, users, nominals = self._area()
        self._fill(area, users, nominals, wanted=entries)
        setup_test_environment()
        client = signed_in_client(auditor)
        rng = random.Random(3)  # noqa: S311  (choosing whom to look up)  # nosec B311
        total = AuditEntry.objects.count()
        self.stdout.write(f"{total} audit entries in all, PostgreSQL, {repeat} requests each\n")
        for label, paths in (
            ("nominal history", [f"/audit/nominals/{rng.choice(nominals)[1]}/" for _ in range(repeat)]),
            ("user activity", [f"/audit/users/{rng.choice(users).username}/" for _ in range(repeat)]),
            ("search by kind and date", ["/audit/?event=change&since_0=1&since_1=6&since_2=2026"] * repeat),
        ):
            self._time(client, label, paths)

    def _time(self, client: Client, label: str, paths: list[str]) -> None:
        client.get(paths[0])
        timings, counts = [], set()
        for path in paths:
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(path)
                timings.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise CommandError(f"{label}: {path} answered {response.status_code}")
            counts.add(len(captured.captured_queries))
        timings.sort()
        p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
        self.stdout.write(
            f"{label:25} median {statistics.median(timings):7.1f} ms   p95 {p95:7.1f} ms   "
            f"queries {'/'.join(str(c) for c in sorted(counts))}"
        )

    def _area(self) -> tuple[Area, User, list[User], list[tuple[int, str]]]:
        area, police, probation = benchmark_area(AREA_CODE, "Benchmark", districts=0)
        agencies = [police, probation]
        users = list(User.objects.filter(agency__area=area, username__startswith="bench-user-"))
        for number in range(len(users), 300):
            user = User(username=f"bench-user-{number:03d}", agency=agencies[number % 2])
            user.set_unusable_password()
            users.append(user_save(actor=None, user=user, roles=[Role.RA_PRACTITIONER]))
        auditor = benchmark_user("bench-auditor", police, Role.AUDITOR)
        if not Nominal.objects.filter(area=area).exists():
            generate_nominals(area=area, count=5000, seed=1, today=timezone.localdate(), decided_by=auditor)
        nominals = list(Nominal.objects.filter(area=area).values_list("pk", "case_reference")[:20000])
        return area, auditor, users, nominals

    def _fill(self, area: Area, users: list[User], nominals: list[tuple[int, str]], *, wanted: int) -> None:
        have = AuditEntry.objects.count()
        if have >= wanted:
            return
        rng = random.Random(have)  # noqa: S311  (generated benchmark data)  # nosec B311
        nominal_type = ContentType.objects.get_for_model(Nominal).pk
        user_type = ContentType.objects.get_for_model(User).pk
        count = wanted - have
        start = timezone.now() - datetime.timedelta(days=365)
        step = datetime.timedelta(days=365) / count
        events = [event for event, _, weight in EVENTS for _ in range(weight)]
        began = time.perf_counter()
        with transaction.atomic():
            lock_chain()
            previous = last_hash()
            with (
                connection.cursor() as cursor,
                cursor.cursor.copy(f"COPY audit_auditentry ({', '.join(COLUMNS)}) FROM STDIN") as copy,
            ):
                for number in range(count):
                    user = rng.choice(users)
                    event = rng.choice(events)
                    pk, reference = rng.choice(nominals)
                    about_nominal = event in (AuditEvent.VIEW, AuditEvent.CHANGE)
                    entry = SimpleNamespace(
                        timestamp=start + step * number,
                        event=event,
                        action=1 if event == AuditEvent.CHANGE else 3,
                        actor_id=user.pk,
                        content_type_id=nominal_type if about_nominal else user_type,
                        object_pk=str(pk) if about_nominal else str(user.pk),
                        object_repr=reference if about_nominal else user.username,
                        changes={"address": ["[restricted]", "[restricted]"]} if event == AuditEvent.CHANGE else None,
                        ground="Lead agency (Benchmark Police)" if event == AuditEvent.VIEW else "",
                        remote_addr=None,
                        nominal_id=pk if about_nominal else None,
                        area_id=area.pk,
                        additional_data={"page": "summary"} if event == AuditEvent.VIEW else None,
                        attempted_username="",
                        prev_hash=previous,
                    )
                    previous = entry_hash(entry)  # type: ignore[arg-type]
                    copy.write_row(
                        (
                            entry.content_type_id,
                            entry.object_pk,
                            pk if about_nominal else user.pk,
                            entry.object_repr,
                            entry.action,
                            "",
                            Jsonb(entry.changes) if entry.changes else None,
                            entry.actor_id,
                            None,
                            entry.timestamp,
                            Jsonb(entry.additional_data) if entry.additional_data else None,
                            entry.event,
                            entry.ground,
                            "",
                            entry.nominal_id,
                            entry.area_id,
                            entry.prev_hash,
                            previous,
                        )
                    )
                    if number and number % 500_000 == 0:
                        self.stdout.write(f"  {number} entries written ({time.perf_counter() - began:.0f} s)")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE audit_auditentry")
        self.stdout.write(f"Wrote {count} chained audit entries in {time.perf_counter() - began:.0f} s")
