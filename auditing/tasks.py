from celery import shared_task

from agencies.models import Role, User
from mappa.audit.verify import verify_chain
from notifications.models import Kind
from notifications.services import notify


@shared_task(acks_late=True)
def verify_audit_chain() -> str:
    """The nightly check of the audit log; auditors are told at once if it fails."""
    checked, broken = verify_chain()
    if broken is None:
        return f"{checked} entries intact"
    auditors = User.objects.filter(is_active=True, role_grants__role=Role.AUDITOR).distinct()
    notify(
        recipients=auditors,
        kind=Kind.AUDIT_CHAIN_BROKEN,
        title=f"The audit log check failed at entry {broken.entry_id}: {broken.reason}",
        url="/audit/",
        dedupe_key=f"audit-chain-broken:{broken.entry_id}",
    )
    return f"broken at {broken.entry_id}"
