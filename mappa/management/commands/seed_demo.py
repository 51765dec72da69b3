from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from agencies.demo import DEMO_PASSWORD, KENT_USERS, seed_agencies_and_users
from agencies.models import User
from cases.demo import seed_demo_nominals
from meetings.demo import seed_demo_meetings
from referrals.demo import seed_demo_referrals


class Command(BaseCommand):
    help = "Create fictional demo data: areas, agencies, one user per role, and a caseload. Safe to run again."

    def handle(self, *args: Any, **options: Any) -> None:
        areas = seed_agencies_and_users()
        coordinator = User.objects.get(username="coordinator")
        added = seed_demo_nominals(area=areas["KENT"], coordinator=coordinator, today=timezone.localdate())
        referrals = seed_demo_referrals(area=areas["KENT"], coordinator=coordinator)
        meetings = seed_demo_meetings(
            area=areas["KENT"],
            coordinator=coordinator,
            chair=User.objects.get(username="chair"),
            today=timezone.localdate(),
        )
        names = ", ".join(area.name for area in areas.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready in {names} ({added} nominals, {referrals} referrals and {meetings} meetings added)."
            )
        )
        users = ", ".join(demo.username for demo in KENT_USERS)
        self.stdout.write(f"Sign in as any of {users} with the password {DEMO_PASSWORD}")
