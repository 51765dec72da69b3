"""Importing a folder: all of it, in one transaction, or nothing and the list of what was refused.

Rows are written in bulk, in the order of their files, so that of two records of one day the later
line counts as recorded later, as it did where they came from. django-auditlog would write an
entry per row, tens of thousands chained one by one; instead the import writes one entry per
nominal, naming the folder and how many records of each kind it brought, and one for the areas,
districts and agencies it created.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditlog.context import disable_auditlog
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from agencies.models import Area, AreaPopulation, District, User
from agencies.services import agency_save
from cases.interchange import columns
from cases.interchange.checks import Plan, check_folder
from cases.interchange.reading import Refusal, read_folder
from cases.interchange.reference import Reference
from cases.models import (
    Alias,
    CategoryPeriod,
    Conviction,
    Episode,
    Event,
    Exit,
    LevelPeriod,
    Nominal,
    NominalName,
    Order,
    RiskAssessment,
)
from cases.services import search_name
from mappa.audit.models import AuditEntry, AuditEvent, append_many

BATCH = 1000
MODELS: dict[str, type[Any]] = {
    columns.NOMINALS: Nominal,
    columns.ALIASES: Alias,
    columns.EPISODES: Episode,
    columns.CATEGORY_PERIODS: CategoryPeriod,
    columns.LEVEL_PERIODS: LevelPeriod,
    columns.EXITS: Exit,
    columns.CONVICTIONS: Conviction,
    columns.ORDERS: Order,
    columns.EVENTS: Event,
    columns.RISK_ASSESSMENTS: RiskAssessment,
}


@dataclass(frozen=True)
class Imported:
    rows: dict[str, int]  # rows read from each file
    created: dict[str, int]  # areas, districts, agencies and populations the service did not have
    refusals: list[Refusal]
    written: bool


def nominals_import(*, actor: User, folder: Path, dry_run: bool = False) -> Imported:
    """Check every row of every file of `folder`; unless one is refused (or `dry_run`), write them
    all in one transaction. The caller has checked that `actor` may (`access.interchange_actor`);
    they are recorded as having recorded and decided everything imported."""
    refusals: list[Refusal] = []
    rows = read_folder(folder, refusals)
    plan = check_folder(rows, actor=actor, today=timezone.localdate())
    counts = {name: len(found) for name, found in rows.items()}
    reference = plan.reference
    created = {
        columns.AREAS: len(reference.new_areas),
        columns.DISTRICTS: len(reference.new_districts),
        columns.AGENCIES: len(reference.new_agencies),
        columns.AREA_POPULATIONS: len(reference.new_populations),
    }
    if refusals or dry_run:
        order = {name: index for index, name in enumerate(columns.FILES)}
        refusals.sort(key=lambda refusal: (order.get(refusal.file, len(order)), refusal.file, refusal.line))
        return Imported(rows=counts, created=created, refusals=refusals, written=False)
    _write(plan, actor=actor, folder=folder)
    return Imported(rows=counts, created=created, refusals=[], written=True)


@transaction.atomic
def _write(plan: Plan, *, actor: User, folder: Path) -> None:
    with disable_auditlog():
        _write_reference(plan.reference, actor=actor)
        _advance_case_numbers(plan)
        for name, model in MODELS.items():
            model.objects.bulk_create(plan.records[name], batch_size=BATCH)
        NominalName.objects.bulk_create(_search_names(plan), batch_size=BATCH)
    _audit(plan, actor=actor, folder=folder)


def _write_reference(reference: Reference, *, actor: User) -> None:
    for area in reference.new_areas:
        area.save()
    District.objects.bulk_create(reference.new_districts)
    for agency in reference.new_agencies:
        # Assigned before their area and district were saved: their ids are only known now.
        agency.area, agency.district = agency.area, agency.district
        agency_save(actor=actor, agency=agency)
    AreaPopulation.objects.bulk_create(reference.new_populations)


def _search_names(plan: Plan) -> Iterable[NominalName]:
    """The names search looks in: each nominal's own, and one per alias (as `cases.services` keeps them)."""
    for nominal in plan.records[columns.NOMINALS]:
        yield NominalName(
            nominal=nominal, name=search_name(nominal.first_name, nominal.middle_names, nominal.last_name)
        )
    for alias in plan.records[columns.ALIASES]:
        yield NominalName(nominal=alias.nominal, alias=alias, name=search_name(alias.first_name, "", alias.last_name))


def _advance_case_numbers(plan: Plan) -> None:
    """Move each area's next case number past the highest imported reference made with its code,
    so that the next nominal recorded there gets a new one. The areas stay locked until the import
    commits, so that nobody takes a number meanwhile.

    Each area the import touched is saved through the model rather than updated in bulk: the
    dashboard's cached figures listen to area saves (`reporting.freshness`), and the nominals just
    written in bulk sent no signal of their own."""
    highest: dict[str, int] = {}
    for reference in plan.people:
        code, _, number = reference.rpartition("-")
        if code in plan.reference.areas and number.isdigit():
            highest[code] = max(highest.get(code, 0), int(number))
    touched = set(highest) | {person.area.code for person in plan.people.values() if person.area is not None}
    for code in sorted(touched):
        area = Area.objects.select_for_update().get(pk=plan.reference.areas[code].pk)
        area.next_case_number = max(area.next_case_number, highest.get(code, 0) + 1)
        area.save(update_fields=["next_case_number", "updated_at"])


def _audit(plan: Plan, *, actor: User, folder: Path) -> None:
    source = str(folder.resolve())
    entries = [
        _entry(
            actor=actor,
            subject=person.nominal,
            details={
                "import": source,
                "records": {name.removesuffix(".csv"): len(person.of(name)) for name in columns.NOMINAL_RECORD_FILES},
            },
        )
        for person in plan.people.values()
    ]
    reference = plan.reference
    if reference.new_areas or reference.new_districts or reference.new_agencies or reference.new_populations:
        details: dict[str, object] = {
            "import": source,
            "areas": [area.code for area in reference.new_areas],
            "districts": [[d.area.code, d.name] for d in reference.new_districts],
            "agencies": [[a.area.code, a.name] for a in reference.new_agencies],
            "area_populations": [[p.area.code, p.year] for p in reference.new_populations],
        }
        entries.append(_entry(actor=actor, subject=Area, details=details))
    append_many(entries)


def _entry(*, actor: User, subject: Nominal | type[Area], details: dict[str, object]) -> AuditEntry:
    """A creation entry: about one nominal (filed under it and its area), or about reference data."""
    nominal = subject if isinstance(subject, Nominal) else None
    return AuditEntry(
        event=AuditEvent.CREATE,
        action=AuditEntry.Action.CREATE,
        actor=actor,
        actor_email=actor.email,
        content_type=ContentType.objects.get_for_model(subject),
        object_pk=str(nominal.pk) if nominal else "",
        object_id=nominal.pk if nominal else None,
        object_repr=str(nominal) if nominal else str(Area._meta.verbose_name_plural),
        additional_data=details,
        nominal_id=nominal.pk if nominal else None,
        area_id=nominal.area_id if nominal else None,
    )
