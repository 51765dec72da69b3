"""Writing nominals and their full histories to a folder of CSV files (the format is `columns`).

An area's people are those whose record is now in the area and those who moved into or out of it,
as the annual report counts them. The folder also holds the reference data their records name, so
that it can be imported into a service that has none of it.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet

from agencies.models import Agency, Area, AreaPopulation, District, User
from cases.interchange import columns
from cases.models import (
    Alias,
    CategoryPeriod,
    Conviction,
    Episode,
    Event,
    EventKind,
    Exit,
    LevelPeriod,
    Nominal,
    Order,
    RiskAssessment,
)
from mappa.audit.models import AuditEvent
from mappa.audit.services import audit_record


class ExportRefused(Exception):
    """The export cannot be made as asked; the message says why."""


@dataclass(frozen=True)
class Exported:
    folder: Path
    areas: tuple[str, ...]
    counts: dict[str, int]


@transaction.atomic
def nominals_export(*, actor: User, folder: Path, area_codes: Sequence[str] = ()) -> Exported:
    """Write every nominal of the areas (all areas when none are named), whatever their category,
    with their histories and the reference data they name, into `folder` (new, or empty), and
    record the export in the audit log. The caller has checked that `actor` may
    (`access.interchange_actor`)."""
    chosen = _chosen_areas(area_codes)
    nominals = _people_of(chosen) if area_codes else Nominal.objects.all()
    files = {**_reference_rows(chosen, nominals), **_nominal_rows(nominals)}
    counts = _write_folder(folder, files)
    codes = tuple(area.code for area in chosen)
    audit_record(
        event=AuditEvent.EXPORT,
        actor=actor,
        subject=Nominal,
        details={"areas": list(codes), "counts": counts, "folder": str(folder.resolve())},
    )
    return Exported(folder=folder, areas=codes, counts=counts)


def _chosen_areas(codes: Sequence[str]) -> list[Area]:
    if not codes:
        return list(Area.objects.order_by("code"))
    found = {area.code: area for area in Area.objects.filter(code__in=codes)}
    unknown = [code for code in codes if code not in found]
    if unknown:
        known = ", ".join(Area.objects.order_by("code").values_list("code", flat=True)) or "none yet"
        raise ExportRefused(f"There is no area with the code {', '.join(unknown)} (areas: {known})")
    return sorted(found.values(), key=lambda area: area.code)


def _people_of(areas: list[Area]) -> QuerySet[Nominal]:
    """The areas' people as the annual report counts them: now there, or moved in or out."""
    moved = Event.objects.filter(kind=EventKind.TRANSFER).filter(Q(from_area__in=areas) | Q(to_area__in=areas))
    return Nominal.objects.filter(Q(area__in=areas) | Q(pk__in=moved.values("nominal_id")))


def _prepare(folder: Path) -> None:
    """A new folder only its owner can read: the files hold restricted details."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise ExportRefused(f"{folder} already exists and is not an empty folder; name a new one")
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)


def _write_folder(folder: Path, files: dict[str, list[tuple[object, ...]]]) -> dict[str, int]:
    """Every file, or none: a folder left half-written would still hold restricted details."""
    _prepare(folder)
    counts: dict[str, int] = {}
    try:
        for name, rows in files.items():
            counts[name] = _write(folder / name, name, rows)
    except BaseException:
        for name in files:
            (folder / name).unlink(missing_ok=True)
        raise
    return counts


def _write(path: Path, name: str, rows: Iterable[Sequence[object]]) -> int:
    written = 0
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with open(descriptor, "w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(columns.COLUMNS[name])
        for row in rows:
            writer.writerow([columns.cell(value) for value in row])
            written += 1
    return written


def _reference_rows(chosen: list[Area], nominals: QuerySet[Nominal]) -> dict[str, list[tuple[object, ...]]]:
    """The chosen areas' districts, agencies and populations, and whatever else the records name:
    another area a person moved from or to, an agency there that led or assessed them."""
    ids = [area.pk for area in chosen]
    agencies = Agency.objects.filter(
        Q(area_id__in=ids)
        | Q(pk__in=nominals.values("lead_agency_id"))
        | Q(pk__in=RiskAssessment.objects.filter(nominal__in=nominals).values("agency_id"))
    ).select_related("area", "district")
    districts = District.objects.filter(
        Q(area_id__in=ids)
        | Q(pk__in=nominals.values("district_id"))
        | Q(pk__in=agencies.filter(district__isnull=False).values("district_id"))
    ).select_related("area")
    events = Event.objects.filter(nominal__in=nominals)
    areas = Area.objects.filter(
        Q(pk__in=ids)
        | Q(pk__in=nominals.values("area_id"))
        | Q(pk__in=agencies.values("area_id"))
        | Q(pk__in=events.values("from_area_id"))
        | Q(pk__in=events.values("to_area_id"))
    )
    return {
        columns.AREAS: [
            (area.code, area.name, *(getattr(area, setting) for setting in columns.AREA_SETTINGS))
            for area in areas.order_by("code")
        ],
        columns.DISTRICTS: [(d.area.code, d.name) for d in districts.order_by("area__code", "name")],
        columns.AGENCIES: [
            (a.area.code, a.name, a.kind, a.district.name if a.district else "", a.is_active)
            for a in agencies.order_by("area__code", "name")
        ],
        columns.AREA_POPULATIONS: list(
            AreaPopulation.objects.filter(area_id__in=ids)
            .order_by("area__code", "year")
            .values_list("area__code", "year", "population_aged_10_plus")
        ),
    }


def _nominal_rows(nominals: QuerySet[Nominal]) -> dict[str, list[tuple[object, ...]]]:
    """Each nominal's records, a nominal's in the order they were recorded: where two records of
    a day disagree, the one recorded last counts, and the import keeps that order."""
    episodes = _numbered(Episode.objects.filter(nominal__in=nominals), "start")
    convictions = _numbered(Conviction.objects.filter(nominal__in=nominals), "conviction_date")

    def of(model: type[Any]) -> QuerySet[Any]:
        records: QuerySet[Any] = model.objects.filter(nominal__in=nominals).order_by("nominal__case_reference", "pk")
        return records

    return {
        columns.NOMINALS: [_nominal(n) for n in _with_places(nominals).order_by("case_reference")],
        columns.ALIASES: [
            (reference, *values)
            for reference, *values in of(Alias).values_list(
                "nominal__case_reference", "first_name", "last_name", "kind"
            )
        ],
        columns.EPISODES: [
            (reference, episodes[pk], *values)
            for reference, pk, *values in of(Episode).values_list(
                "nominal__case_reference", "pk", "start", "end", "reason"
            )
        ],
        columns.CATEGORY_PERIODS: [
            (reference, episodes[episode], *values)
            for reference, episode, *values in of(CategoryPeriod).values_list(
                "nominal__case_reference", "episode_id", "category", "start", "end", "source", "reason"
            )
        ],
        columns.LEVEL_PERIODS: [
            (reference, episodes[episode], *values)
            for reference, episode, *values in of(LevelPeriod).values_list(
                "nominal__case_reference", "episode_id", "level", "start", "end", "source", "reason"
            )
        ],
        columns.EXITS: [
            (reference, episodes[episode], *values)
            for reference, episode, *values in of(Exit).values_list(
                "nominal__case_reference", "episode_id", "date", "reason", "rationale", "review_retention_on"
            )
        ],
        columns.CONVICTIONS: [
            (row[0], convictions[row[1]], *row[2:])
            for row in of(Conviction).values_list(
                "nominal__case_reference", "pk", *columns.COLUMNS[columns.CONVICTIONS][2:]
            )
        ],
        columns.ORDERS: [
            (reference, kind, convictions.get(conviction) if conviction else None, *values)
            for reference, kind, conviction, *values in of(Order).values_list(
                "nominal__case_reference", "kind", "conviction_id", *columns.COLUMNS[columns.ORDERS][3:]
            )
        ],
        columns.EVENTS: list(
            of(Event).values_list(
                "nominal__case_reference",
                "date",
                "kind",
                "returned_to_custody",
                "from_area__code",
                "to_area__code",
                "notes",
            )
        ),
        columns.RISK_ASSESSMENTS: list(
            of(RiskAssessment).values_list(
                "nominal__case_reference", "date", "tool", "result", "agency__area__code", "agency__name", "notes"
            )
        ),
    }


def _numbered(records: QuerySet[Any], day: str) -> dict[int, int]:
    """Each record's number within its nominal, 1 for the earliest: how rows of other files name it."""
    numbers: dict[int, int] = {}
    last: dict[int, int] = {}
    for pk, nominal_id in records.order_by("nominal_id", day, "pk").values_list("pk", "nominal_id"):
        last[nominal_id] = numbers[pk] = last.get(nominal_id, 0) + 1
    return numbers


def _with_places(nominals: QuerySet[Nominal]) -> QuerySet[Nominal]:
    return nominals.select_related("area", "district", "lead_agency__area")


def _nominal(nominal: Nominal) -> tuple[object, ...]:
    places = {
        "area": nominal.area.code,
        "district": nominal.district.name if nominal.district else "",
        "lead_agency_area": nominal.lead_agency.area.code,
        "lead_agency": nominal.lead_agency.name,
    }
    return tuple(
        places[name] if name in places else getattr(nominal, name) for name in columns.COLUMNS[columns.NOMINALS]
    )
