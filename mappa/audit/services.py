"""Writing audit entries for what django-auditlog does not see by itself: sign-ins, views, disclosures."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, NoReturn

from auditlog.context import auditlog_value, set_actor
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.http import Http404, HttpRequest

from mappa.audit.models import AuditEntry, AuditEvent, append_many, context_is_live
from mappa.client_address import client_address


def audit_record(
    *,
    event: AuditEvent,
    actor: AbstractBaseUser | None,
    subject: models.Model | type[models.Model],
    request: HttpRequest | None = None,
    ground: str = "",
    attempted_username: str = "",
    details: dict[str, object] | None = None,
    nominal_id: int | None = None,
) -> AuditEntry:
    """Write one audit entry about `subject` (a nominal viewed, a user signing in, ...)."""
    entry: AuditEntry = AuditEntry.objects.create(
        **_entry_fields(
            event=event,
            actor=actor,
            subject=subject,
            request=request,
            ground=ground,
            attempted_username=attempted_username,
            details=details,
            nominal_id=nominal_id,
        )
    )
    return entry


def audit_record_many(
    *,
    event: AuditEvent,
    actor: AbstractBaseUser | None,
    subjects: Sequence[models.Model],
    request: HttpRequest | None = None,
    ground: str = "",
    details: dict[str, object] | None = None,
) -> None:
    """One entry per subject, written together: an export or disclosure of many records."""
    append_many(
        [
            AuditEntry(
                **_entry_fields(
                    event=event,
                    actor=actor,
                    subject=subject,
                    request=request,
                    ground=ground,
                    details=details,
                    nominal_id=getattr(subject, "audit_nominal_id", None),
                )
            )
            for subject in subjects
        ]
    )


def _entry_fields(
    *,
    event: AuditEvent,
    actor: AbstractBaseUser | None,
    subject: models.Model | type[models.Model],
    request: HttpRequest | None,
    ground: str = "",
    attempted_username: str = "",
    details: dict[str, object] | None = None,
    nominal_id: int | None = None,
) -> dict[str, Any]:
    # A model class stands for "some of these": a list or search result rather than one record.
    pk = None if isinstance(subject, type) else subject.pk
    representation = str(subject._meta.verbose_name_plural) if isinstance(subject, type) else str(subject)
    return {
        "event": event,
        "action": AuditEntry.Action.ACCESS,
        "actor": actor,
        "actor_email": getattr(actor, "email", None),
        "content_type": ContentType.objects.get_for_model(subject),
        "object_pk": str(pk) if pk is not None else "",
        "object_id": pk if isinstance(pk, int) else None,
        "object_repr": representation,
        "remote_addr": client_address(request) if request else None,
        "ground": ground,
        "attempted_username": attempted_username,
        "additional_data": details,
        "nominal_id": nominal_id,
    }


@contextmanager
def audit_actor(actor: AbstractBaseUser | None) -> Iterator[None]:
    """Attribute the audit entries written inside the block to `actor`.

    Inside a request the middleware has already named the user; services called from commands and
    tasks name their actor here. django-auditlog's own `set_actor` does not restore the request's
    context when it ends, so this does.
    """
    try:
        outer: dict[str, Any] | None = auditlog_value.get()
    except LookupError:
        outer = None
    if outer is not None and outer.get("actor") == actor and context_is_live(outer):
        yield
        return
    # A token for the state before this block, so that it is restored exactly, unset included.
    token = auditlog_value.set({})
    try:
        with set_actor(actor, remote_addr=outer.get("remote_addr") if outer else None):
            yield
    finally:
        auditlog_value.reset(token)


def audit_list_view(
    *,
    request: HttpRequest,
    actor: AbstractBaseUser,
    page: str,
    model: type[models.Model],
    shown: Sequence[models.Model],
    ground: str = "",
    search: dict[str, object] | None = None,
) -> AuditEntry:
    """Record that a list or search result showing case data was consulted, and which rows it showed.
    A search is one entry: what was searched for (`search`: its terms and filters) and what it showed."""
    return audit_record(
        event=AuditEvent.SEARCH if search else AuditEvent.VIEW,
        actor=actor,
        subject=model,
        request=request,
        ground=ground,
        details={**(search or {}), "page": page, "shown": [item.pk for item in shown]},
    )


def refuse_unseen(
    *, actor: AbstractBaseUser, record: models.Model | None, request: HttpRequest, nominal_id: int | None, what: str
) -> NoReturn:
    """Answer "not found" for a record the person may not see (or that does not exist), logging the
    attempt where the record exists."""
    if record is not None:
        audit_record(
            event=AuditEvent.VIEW_REFUSED,
            actor=actor,
            subject=record,
            request=request,
            nominal_id=nominal_id,
            details={"path": request.path},
        )
    raise Http404(f"No such {what}.")
