from typing import Any

from django.core.management.base import BaseCommand, CommandError

from documents.verify import verify_documents


class Command(BaseCommand):
    help = "Check every document's stored file against the SHA-256 its upload recorded in the audit log."

    def handle(self, *args: Any, **options: Any) -> None:
        checked, problems = verify_documents()
        for problem in problems:
            self.stderr.write(str(problem))
        if problems:
            raise CommandError(f"{len(problems)} of {checked} documents failed the check.")
        self.stdout.write(f"Checked {checked} documents: every file is as it was uploaded.")
