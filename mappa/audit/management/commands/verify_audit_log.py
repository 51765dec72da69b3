from typing import Any

from django.core.management.base import BaseCommand, CommandError

from mappa.audit.verify import verify_chain


class Command(BaseCommand):
    help = "Check the audit log's hash chain; name the first altered, removed or inserted entry."

    def handle(self, *args: Any, **options: Any) -> None:
        checked, broken = verify_chain()
        if broken is not None:
            raise CommandError(
                f"The audit log has been tampered with at entry {broken.entry_id} "
                f"({broken.timestamp:%Y-%m-%d %H:%M:%S %Z}): {broken.reason}. {checked - 1} entries before it are intact."
            )
        self.stdout.write(self.style.SUCCESS(f"Checked {checked} audit entries: the chain is intact."))
