from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import IntegrityError

from cases.interchange import columns
from cases.interchange.access import NotAllowed, interchange_actor
from cases.interchange.load import Imported, nominals_import
from cases.interchange.reading import FolderUnreadable


class Command(BaseCommand):
    help = (
        "Import a folder of CSV files of nominals and their histories (docs/import-format.md): every row of "
        "every file is checked first, and either all of them are written, in one transaction, or none is and "
        "each refused row is listed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path, help="The folder of CSV files.")
        parser.add_argument("--actor", required=True, help="The system administrator making the import.")
        parser.add_argument("--dry-run", action="store_true", help="Check everything and write nothing.")

    def handle(self, *args: Any, folder: Path, actor: str, dry_run: bool, **options: Any) -> None:
        try:
            user = interchange_actor(actor)
            imported = nominals_import(actor=user, folder=folder, dry_run=dry_run)
        except (NotAllowed, FolderUnreadable) as refused:
            raise CommandError(str(refused)) from None
        except IntegrityError as clash:
            raise CommandError(
                f"The database refused a row the checks had passed ({clash}); someone may have recorded a clashing "
                "record meanwhile. Nothing was imported: run the import again."
            ) from None
        if imported.refusals:
            for refusal in imported.refusals:
                self.stdout.write(str(refusal))
            files = len({refusal.file for refusal in imported.refusals})
            raise CommandError(
                f"{len(imported.refusals)} problems in {files} files (listed above): nothing was imported."
            )
        self._counts(imported)
        if dry_run:
            self.stdout.write(self.style.SUCCESS("Dry run: every row is acceptable. Nothing was written."))
        else:
            self.stdout.write(self.style.SUCCESS(f"Imported {folder}."))

    def _counts(self, imported: Imported) -> None:
        verb = "would be created" if not imported.written else "created"
        for name in columns.FILES:
            line = f"{name}: {imported.rows[name]} rows"
            if name in imported.created:
                line += f" ({imported.created[name]} {verb}; the rest the service already had)"
            self.stdout.write(line)
