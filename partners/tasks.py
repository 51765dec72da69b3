from celery import shared_task

from partners.services import idempotency_keys_forget


@shared_task(acks_late=True)
def forget_idempotency_keys() -> int:
    """Nightly: the answers kept under callers' keys hold case data, and a retry comes within hours."""
    return idempotency_keys_forget()
