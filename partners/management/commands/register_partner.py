from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from agencies.models import Agency, Role, User
from partners.models import Scope
from partners.services import partner_register


class Command(BaseCommand):
    help = (
        "Register a partner system and print its token, once (the admin's Partner systems page does the same). "
        "The token is printed alone on standard output, so that a script can keep it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True, help="The system, as its owners call it.")
        parser.add_argument("--area", required=True, help="The code of the agency's area, such as KENT.")
        parser.add_argument("--agency", required=True, help="The name of the agency that runs the system.")
        parser.add_argument("--scope", action="append", choices=Scope.values, required=True, dest="scopes")
        parser.add_argument("--days", type=int, default=180, help="How long the token works (at most 366).")
        parser.add_argument("--requests-per-minute", type=int, default=120)
        parser.add_argument("--actor", required=True, help="The username of the administrator registering it.")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = User.objects.filter(username=options["actor"], is_active=True).first()
        if actor is None or not (actor.is_superuser or actor.has_role(Role.SYSTEM_ADMINISTRATOR)):
            raise CommandError(f"{options['actor']} is not an active system administrator")
        agency = Agency.objects.filter(area__code__iexact=options["area"], name=options["agency"]).first()
        if agency is None:
            raise CommandError(f"There is no agency called {options['agency']!r} in the area {options['area']}")
        try:
            issued = partner_register(
                actor=actor,
                name=options["name"],
                agency=agency,
                scopes=options["scopes"],
                expires_at=timezone.now() + datetime.timedelta(days=options["days"]),
                requests_per_minute=options["requests_per_minute"],
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stderr.write(f"Registered {issued.partner.name}; its token, shown this once:")
        self.stdout.write(issued.token)
