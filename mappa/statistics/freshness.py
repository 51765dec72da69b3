"""Keeping the KPI dashboard's cached figures right.

The dashboard's figures are kept in the cache under a version of their area. Every save or delete
of a record the indicators count (referrals, meetings, invitations, actions, nominals, exits, and
the area's own targets) forgets the version of the area it belonged to before and after the change,
so the next dashboard for that area is worked out afresh. It is forgotten at once, for the rest of
the writer's transaction, and again when the transaction commits, for everyone else: a dashboard
computed meanwhile from the uncommitted state is kept under a version nobody will ask for again.

Writes that bypass the model signals (`QuerySet.update`, `bulk_create`) must call `forget` themselves;
the application's services do not make them on these models. The version key names the database,
so that one Redis may serve several databases (a training copy, the tests) without mixing them.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Model
from django.db.models.signals import post_save, pre_delete, pre_save

from agencies.models import Area
from cases.models import Exit, Nominal
from meetings.models import Action, Invitation, Meeting
from referrals.models import Referral

# Each model the indicators count, and the path from one of its rows to its area.
AREA_OF: dict[type[Model], str] = {
    Area: "pk",
    Referral: "area_id",
    Meeting: "area_id",
    Invitation: "meeting__area_id",
    Action: "meeting__area_id",
    Nominal: "area_id",
    Exit: "nominal__area_id",
}


def _key(area_id: int) -> str:
    return f"kpis:version:{connection.settings_dict['NAME']}:{area_id}"


def area_version(area_id: int) -> str:
    """The current version of an area's figures (a new one once the last was forgotten)."""
    key = _key(area_id)
    version: str | None = cache.get(key)
    if version is None:
        cache.add(key, uuid.uuid4().hex, timeout=None)
        version = cache.get(key)
    return version or uuid.uuid4().hex  # the cache was emptied in between: this version is used once


def forget(area_ids: Iterable[int]) -> None:
    cache.delete_many([_key(area_id) for area_id in area_ids])


def _areas_of(model: type[Model], pk: Any) -> set[int]:
    return set(model._default_manager.filter(pk=pk).values_list(AREA_OF[model], flat=True)) - {None}


def _changed(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    if instance.pk is None or kwargs.get("raw"):
        return
    areas = _areas_of(sender, instance.pk)
    if areas:
        forget(areas)
        transaction.on_commit(lambda: forget(areas), robust=True)


def connect() -> None:
    for model in AREA_OF:
        for signal in (pre_save, post_save, pre_delete):
            signal.connect(_changed, sender=model, dispatch_uid=f"kpi-freshness-{model._meta.label}-{id(signal)}")
