from celery import shared_task
from django.utils import timezone

from reminders.rules import send_reminders as run


@shared_task(acks_late=True)
def send_reminders() -> dict[str, int]:
    """The daily reminders, run by beat each morning; safe to run again (each has a dedupe key)."""
    return run(today=timezone.localdate())
