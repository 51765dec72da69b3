from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from agencies.models import User
from devtools.demo.agencies import DEMO_PASSWORD, KENT_USERS, seed_agencies_and_users
from devtools.demo.cases import seed_demo_nominals
from devtools.demo.documents import seed_demo_documents
from devtools.demo.governance import seed_demo_governance
from devtools.demo.meetings import seed_demo_meetings
from devtools.demo.referrals import seed_demo_referrals
from devtools.national import AUDIT_ENTRIES, NOMINALS, seed_national
from notifications.models import EmailState, Notification
from reminders.rules import send_reminders


class Command(BaseCommand):
    help = (
        "Create fictional demo data: areas, agencies, one user per role, and a caseload. Safe to run again. "
        "With --scale national, also all 42 areas, 100,000 nominals and 5 million audit entries (PostgreSQL)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=["demo", "national"], default="demo")
        parser.add_argument("--nominals", type=int, default=NOMINALS, help="national scale: nominals in all")
        parser.add_argument("--audit-entries", type=int, default=AUDIT_ENTRIES, help="national scale: log size")

    def handle(self, *args: Any, scale: str, nominals: int, audit_entries: int, **options: Any) -> None:
        if scale == "national" and connection.vendor != "postgresql":
            raise CommandError("National scale needs PostgreSQL: set DATABASE_URL.")
        with transaction.atomic():
            areas = seed_agencies_and_users()
            coordinator = User.objects.get(username="coordinator")
            today = timezone.localdate()
            added = seed_demo_nominals(
                area=areas["KENT"], coordinator=coordinator, today=today, neighbour=areas["SUSSEX"]
            )
            referrals = seed_demo_referrals(area=areas["KENT"], coordinator=coordinator)
            meetings = seed_demo_meetings(
                area=areas["KENT"], coordinator=coordinator, chair=User.objects.get(username="chair"), today=today
            )
            documents = seed_demo_documents(area=areas["KENT"], today=today)
            seed_demo_governance(area=areas["KENT"], neighbour=areas["SUSSEX"], today=today)
            send_reminders(today=today)
            self._settle_notifications()
        names = ", ".join(area.name for area in areas.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready in {names} ({added} nominals, {referrals} referrals, {meetings} meetings "
                f"and {documents} documents added)."
            )
        )
        if scale == "national":
            seed_national(
                nominals=nominals, audit_entries=audit_entries, today=timezone.localdate(), say=self.stdout.write
            )
        users = ", ".join(demo.username for demo in KENT_USERS)
        self.stdout.write(f"Sign in as any of {users} with the password {DEMO_PASSWORD}")

    @staticmethod
    def _settle_notifications() -> None:
        """Demo notifications are not emailed, and half of each person's are already read."""
        Notification.objects.filter(email_state=EmailState.PENDING).update(email_state=EmailState.SENT)
        unread = Notification.objects.filter(read_at__isnull=True)
        read = [pk for number, pk in enumerate(unread.order_by("pk").values_list("pk", flat=True)) if number % 2]
        Notification.objects.filter(pk__in=read).update(read_at=timezone.now())
