from typing import Any

from django.core.management.base import BaseCommand

from agencies.demo import DEMO_PASSWORD, KENT_USERS, seed_agencies_and_users


class Command(BaseCommand):
    help = "Create fictional demo data: areas, districts, agencies and one user per role. Safe to run again."

    def handle(self, *args: Any, **options: Any) -> None:
        areas = seed_agencies_and_users()
        names = ", ".join(area.name for area in areas.values())
        self.stdout.write(self.style.SUCCESS(f"Demo data ready in {names}."))
        users = ", ".join(demo.username for demo in KENT_USERS)
        self.stdout.write(f"Sign in as any of {users} with the password {DEMO_PASSWORD}")
