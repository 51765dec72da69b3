"""Keeping the KPI dashboard's cached figures right.

Each indicator's figures are kept in the cache under a version made of two parts: the area's, and
the indicator's own in that area. A save or delete of a record an indicator counts forgets that
indicator's part in the area the record belonged to before and after the change, so the next
dashboard works out again only the indicators the change can have moved. A change to the area
itself (its targets) or to one of its nominals (whose district the dashboard may be narrowed to)
forgets the area's part, and with it every indicator. A part is forgotten at once, for the rest of
the writer's transaction, and again when the transaction commits, for everyone else: figures
computed meanwhile from the uncommitted state are kept under a version nobody will ask for again.

Writes that bypass the model signals (`QuerySet.update`, `bulk_create`) must call `forget` themselves;
the application's services do not make them on these models. The version keys name the database,
so that one Redis may serve several databases (a training copy, the tests) without mixing them.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable
from functools import partial
from typing import Any, Protocol

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Model
from django.db.models.signals import post_save, pre_delete, pre_save

from agencies.models import Area
from cases.models import Exit, Nominal
from meetings.models import Action, Invitation, Meeting
from referrals.models import Referral


class Counting(Protocol):
    """An indicator as far as freshness needs it (`kpis.Kpi` is one): its key, and the models whose
    records it counts."""

    @property
    def key(self) -> str: ...

    @property
    def counts(self) -> tuple[type[Model], ...]: ...


# Each model the indicators read, and the path from one of its rows to its area.
AREA_OF: dict[type[Model], str] = {
    Area: "pk",
    Referral: "area_id",
    Meeting: "area_id",
    Invitation: "meeting__area_id",
    Action: "meeting__area_id",
    Nominal: "area_id",
    Exit: "nominal__area_id",
}
EVERY_INDICATOR: tuple[type[Model], ...] = (Area, Nominal)  # every indicator reads the targets and districts
WHOLE_AREA = ""  # the version part shared by all of an area's indicators


def _key(area_id: int, indicator: str) -> str:
    return f"kpis:version:{connection.settings_dict['NAME']}:{area_id}:{indicator}"


def versions(area_id: int, indicators: Collection[str]) -> dict[str, str]:
    """The current version of each of the area's indicators (a new one once the last was forgotten)."""
    keys = {indicator: _key(area_id, indicator) for indicator in [WHOLE_AREA, *indicators]}
    found: dict[str, str] = cache.get_many(keys.values())
    missing = [key for key in keys.values() if key not in found]
    if missing:
        for key in missing:
            cache.add(key, uuid.uuid4().hex, timeout=None)
        found = cache.get_many(keys.values())

    def part(indicator: str) -> str:
        return found.get(keys[indicator]) or uuid.uuid4().hex  # the cache was emptied in between: used once

    area = part(WHOLE_AREA)
    return {indicator: f"{area}.{part(indicator)}" for indicator in indicators}


def forget(area_ids: Iterable[int], indicators: Collection[str] = (WHOLE_AREA,)) -> None:
    """Forget the given indicators' figures in the areas; by default, every indicator's."""
    cache.delete_many([_key(area_id, indicator) for area_id in area_ids for indicator in indicators])


def _areas_of(model: type[Model], pk: Any) -> set[int]:
    return set(model._default_manager.filter(pk=pk).values_list(AREA_OF[model], flat=True)) - {None}


def _changed(sender: type[Model], instance: Model, *, indicators: tuple[str, ...], **kwargs: Any) -> None:
    if instance.pk is None or kwargs.get("raw"):
        return
    areas = _areas_of(sender, instance.pk)
    if areas:
        forget(areas, indicators)
        transaction.on_commit(lambda: forget(areas, indicators), robust=True)


def connect(kpis: Iterable[Counting]) -> None:
    """Forget each indicator's figures when a record it counts changes."""
    read_by: dict[type[Model], list[str]] = {model: [] for model in AREA_OF}
    for kpi in kpis:
        for model in kpi.counts:
            read_by[model].append(kpi.key)
    for model, keys in read_by.items():
        indicators = (WHOLE_AREA,) if model in EVERY_INDICATOR else tuple(keys)
        if not indicators:
            continue
        receiver = partial(_changed, indicators=indicators)
        for signal in (pre_save, post_save, pre_delete):
            signal.connect(
                receiver, sender=model, weak=False, dispatch_uid=f"kpi-freshness-{model._meta.label}-{id(signal)}"
            )
