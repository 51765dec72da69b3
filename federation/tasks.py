from celery import shared_task

from federation.services import leavers_check

# How often the providers are asked whether they still know each approved person.
LEAVERS_CHECK_SECONDS = 15 * 60


@shared_task(acks_late=True)
def check_leavers() -> dict[str, int]:
    return leavers_check()
