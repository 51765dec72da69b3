from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cases.interchange import columns
from cases.interchange.access import NotAllowed, interchange_actor
from cases.interchange.export import ExportRefused, nominals_export


class Command(BaseCommand):
    help = (
        "Write nominals and their full histories, with the reference data they name, to a new folder of CSV "
        "files (docs/import-format.md). Every category is included; the export is recorded in the audit log."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", required=True, type=Path, help="A new (or empty) folder to write.")
        parser.add_argument(
            "--area",
            dest="areas",
            action="extend",
            nargs="+",
            default=[],
            metavar="CODE",
            help="Only these areas' people (now there, or moved in or out). All areas when left out.",
        )
        parser.add_argument("--actor", required=True, help="The system administrator making the export.")

    def handle(self, *args: Any, output: Path, areas: list[str], actor: str, **options: Any) -> None:
        try:
            user = interchange_actor(actor)
            exported = nominals_export(actor=user, folder=output, area_codes=areas)
        except (NotAllowed, ExportRefused) as refused:
            raise CommandError(str(refused)) from None
        for name in columns.FILES:
            self.stdout.write(f"{name}: {exported.counts[name]} rows")
        self.stdout.write(
            self.style.SUCCESS(f"Exported {', '.join(exported.areas) or 'no areas'} to {exported.folder}.")
        )
