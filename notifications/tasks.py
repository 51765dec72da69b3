"""Background delivery of notification emails, the sweep that re-queues anything undelivered, and
the daily reminders."""

from __future__ import annotations

import datetime
import logging
import smtplib
from collections.abc import Iterable

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from notifications.models import EmailState, Notification

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
SUBJECT = "You have a new notification from MAPPA case management"


def email_body(notification: Notification) -> str:
    """Deliberately says nothing about the case: who and what are behind the sign-in."""
    link = f"{settings.SITE_URL.rstrip('/')}{notification.get_absolute_url()}"
    return (
        "You have a new notification in MAPPA case management.\n\n"
        f"Sign in to read it: {link}\n\n"
        "Do not reply to this email.\n"
    )


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=10,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=MAX_ATTEMPTS - 1,
)
def deliver_notification(self, notification_id: int) -> str:  # type: ignore[no-untyped-def]
    """Send one notification's email, at most once.

    The row is locked for the whole send and marked sent in the same transaction: a second copy of
    the task (a retry, a redelivery after a worker died, the sweep) finds it locked or already sent
    and does nothing; a send interrupted before the commit leaves it pending, to be sent again.
    """
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True)
            .select_related("recipient")
            .filter(pk=notification_id, email_state=EmailState.PENDING)
            .first()
        )
        if notification is None:
            return "nothing to do"
        try:
            send_mail(SUBJECT, email_body(notification), settings.DEFAULT_FROM_EMAIL, [notification.recipient.email])
        except (smtplib.SMTPException, OSError) as error:
            if self.request.retries + 1 >= MAX_ATTEMPTS:
                Notification.objects.filter(pk=notification.pk).update(
                    email_state=EmailState.FAILED, attempts=self.request.retries + 1, last_error=str(error)[:300]
                )
                logger.error("Notification %s could not be emailed: %s", notification.pk, error)
                return "failed"
            raise
        Notification.objects.filter(pk=notification.pk).update(
            email_state=EmailState.SENT, sent_at=timezone.now(), attempts=self.request.retries + 1, last_error=""
        )
    return "sent"


@shared_task(acks_late=True)
def sweep_notifications(older_than_seconds: int = 120) -> int:
    """Re-queue every email still waiting, so that nothing is lost when the broker was down."""
    cutoff = timezone.now() - datetime.timedelta(seconds=older_than_seconds)
    waiting = list(
        Notification.objects.filter(email_state=EmailState.PENDING, created_at__lte=cutoff).values_list(
            "pk", flat=True
        )[:5000]
    )
    queue_delivery(waiting)
    return len(waiting)


def queue_delivery(notification_ids: Iterable[int]) -> None:
    """Hand the emails to the broker. If it is unreachable they stay pending for the sweep."""
    for notification_id in notification_ids:
        try:
            deliver_notification.delay(notification_id)
        except Exception:
            logger.warning("Broker unreachable; notification %s left for the sweep", notification_id, exc_info=True)
            return
