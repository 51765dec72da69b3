from celery import shared_task

from agencies.models import Role, User
from documents.verify import verify_documents
from notifications.models import Kind
from notifications.services import notify


@shared_task(acks_late=True)
def verify_stored_documents() -> str:
    """The nightly check of the stored files; auditors are told of each one that has changed."""
    checked, problems = verify_documents()
    auditors = User.objects.filter(is_active=True, role_grants__role=Role.AUDITOR).distinct()
    for problem in problems:
        notify(
            recipients=auditors,
            kind=Kind.DOCUMENT_ALTERED,
            title=f"A stored document failed its check: {problem.what}",
            url="/audit/",
            dedupe_key=f"document-altered:{problem.document.pk}:{problem.what}",
        )
    return f"{checked} documents checked, {len(problems)} failed"
