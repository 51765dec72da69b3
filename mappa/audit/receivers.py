"""Sign-in, failed sign-in and sign-out go to the audit log.

Django's auth signals are the one place every sign-in path passes through (our sign-in page, the
admin's, and later two-factor steps), so these are recorded from them rather than from each view.
"""

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from mappa.audit.models import AuditEvent
from mappa.audit.services import audit_record


@receiver(user_logged_in, dispatch_uid="audit_sign_in")
def _signed_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    # A sign-in path that knows more (an agency's identity provider, say) leaves it on the request.
    details = getattr(request, "sign_in_details", None)
    audit_record(event=AuditEvent.SIGN_IN, actor=user, subject=user, request=request, details=details)


@receiver(user_logged_out, dispatch_uid="audit_sign_out")
def _signed_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_record(event=AuditEvent.SIGN_OUT, actor=user, subject=user, request=request)


@receiver(user_login_failed, dispatch_uid="audit_sign_in_failed")
def _sign_in_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # Django has already replaced the password with asterisks in `credentials`.
    username = str(credentials.get("username", ""))[:150]
    User = get_user_model()
    # The entry is about the account that was tried when it exists, so that an auditor sees the
    # attempts against it; either way the attempted name is kept. The person signing in is told
    # nothing about which case it was.
    subject = User.objects.filter(username=username).first() or User(username=username)
    audit_record(
        event=AuditEvent.SIGN_IN_FAILED, actor=None, subject=subject, request=request, attempted_username=username
    )
