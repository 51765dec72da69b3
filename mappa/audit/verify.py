"""Checking the audit log's hash chain from the first entry to the last."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from mappa.audit.models import GENESIS, AuditEntry, entry_hash

CHECKED_FIELDS = (
    "pk",
    "timestamp",
    "event",
    "action",
    "actor_id",
    "content_type_id",
    "object_pk",
    "object_repr",
    "changes",
    "ground",
    "remote_addr",
    "nominal_id",
    "area_id",
    "additional_data",
    "attempted_username",
    "cid",
    "prev_hash",
    "entry_hash",
)


@dataclass(frozen=True)
class Break:
    entry_id: int
    timestamp: datetime.datetime
    reason: str


def verify_chain(*, chunk_size: int = 5000) -> tuple[int, Break | None]:
    """Walk the chain in order; return how many entries were checked and the first break, if any.

    An entry breaks the chain if its content no longer gives its hash (it was altered), or if it
    does not name the entry before it as its predecessor (an entry was removed or inserted).
    """
    previous = GENESIS
    checked = 0
    for entry in AuditEntry.objects.only(*CHECKED_FIELDS).order_by("pk").iterator(chunk_size=chunk_size):
        checked += 1
        if entry.prev_hash != previous:
            return checked, Break(entry.pk, entry.timestamp, "it does not follow the entry before it")
        if entry_hash(entry) != entry.entry_hash:
            return checked, Break(entry.pk, entry.timestamp, "its content does not match its hash")
        previous = entry.entry_hash
    return checked, None
