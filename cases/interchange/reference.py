"""The reference data of an import: areas, districts, agencies and area populations.

What the service already has is used as it is, matched by area code, by area and district name, by
area and agency name; the rest is created. Nothing the service already has is changed: a population
for a year the service already has must be the same figure, an agency of the same name the same kind.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import models

from agencies.models import Agency, AgencyKind, Area, AreaPopulation, District
from cases.interchange import columns
from cases.interchange.reading import Row


@dataclass
class Reference:
    """Every area, district and agency the import may name, by its natural key; new ones unsaved."""

    areas: dict[str, Area] = field(default_factory=dict)
    districts: dict[tuple[str, str], District] = field(default_factory=dict)
    agencies: dict[tuple[str, str], Agency] = field(default_factory=dict)
    new_areas: list[Area] = field(default_factory=list)
    new_districts: list[District] = field(default_factory=list)
    new_agencies: list[Agency] = field(default_factory=list)
    new_populations: list[AreaPopulation] = field(default_factory=list)

    def area(self, row: Row, column: str, *, default: str = "") -> Area | None:
        code = row.text(column) or default
        if not code:
            row.refuse(column, "Required: an area code")
            return None
        area = self.areas.get(code)
        if area is None:
            row.refuse(column, f"No area {code} in {columns.AREAS} or in the service")
        return area

    def district(self, row: Row, column: str, area: Area | None) -> District | None:
        name = row.text(column)
        if not name or area is None:
            return None
        district = self.districts.get((area.code, name))
        if district is None:
            row.refuse(column, f"No district {name!r} in {area.code} in {columns.DISTRICTS} or in the service")
        return district

    def agency(self, row: Row, column: str, area: Area | None) -> Agency | None:
        name = row.text(column)
        if not name:
            row.refuse(column, "Required: an agency's name")
            return None
        if area is None:
            return None
        agency = self.agencies.get((area.code, name))
        if agency is None:
            row.refuse(column, f"No agency {name!r} in {area.code} in {columns.AGENCIES} or in the service")
        return agency


def check_reference(rows: dict[str, list[Row]]) -> Reference:
    reference = Reference()
    _areas(reference, rows[columns.AREAS])
    _districts(reference, rows[columns.DISTRICTS])
    _agencies(reference, rows[columns.AGENCIES])
    _populations(reference, rows[columns.AREA_POPULATIONS])
    return reference


def clean(row: Row, instance: models.Model, *, exclude: Sequence[str] = ()) -> None:
    """The model's own field checks. Uniqueness and constraints are checked in bulk by the callers:
    one query per row and constraint would take minutes over a whole caseload."""
    try:
        instance.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        row.refuse_invalid(error)


def _first_line(seen: dict[object, int], row: Row, key: object, column: str, what: str) -> bool:
    """Whether this is the first row with `key`; a later one is refused, naming the first."""
    if key in seen:
        row.refuse(column, f"{what} is already on line {seen[key]}")
        return False
    seen[key] = row.line
    return True


def _areas(reference: Reference, rows: list[Row]) -> None:
    existing = {area.code: area for area in Area.objects.all()}
    reference.areas.update(existing)
    names = {area.name: area.code for area in existing.values()}
    seen: dict[object, int] = {}
    for row in rows:
        code = row.required("code")
        if not code or not _first_line(seen, row, code, "code", f"Area {code}") or code in existing:
            continue
        area = Area(code=code, name=row.required("name"))
        for setting in columns.AREA_SETTINGS:
            value = row.number(setting)
            if value is not None:
                setattr(area, setting, value)
        clean(row, area)
        if area.name and area.name in names:
            row.refuse("name", f"Area {names[area.name]} already has the name {area.name!r}")
        names[area.name] = code
        reference.areas[code] = area
        reference.new_areas.append(area)


def _districts(reference: Reference, rows: list[Row]) -> None:
    existing = {(d.area.code, d.name): d for d in District.objects.select_related("area")}
    reference.districts.update(existing)
    seen: dict[object, int] = {}
    for row in rows:
        area, name = reference.area(row, "area"), row.required("name")
        if area is None or not name:
            continue
        key = (area.code, name)
        if not _first_line(seen, row, key, "name", f"District {name!r} of {area.code}") or key in existing:
            continue
        district = District(area=area, name=name)
        clean(row, district, exclude=["area"])
        reference.districts[key] = district
        reference.new_districts.append(district)


def _agencies(reference: Reference, rows: list[Row]) -> None:
    existing = {(a.area.code, a.name): a for a in Agency.objects.select_related("area")}
    reference.agencies.update(existing)
    seen: dict[object, int] = {}
    for row in rows:
        area, name = reference.area(row, "area"), row.required("name")
        kind = row.choice("kind", AgencyKind.values)
        district = reference.district(row, "district", area)
        active = row.yes_no("is_active", default=True)
        if area is None or not name:
            continue
        key = (area.code, name)
        if not _first_line(seen, row, key, "name", f"Agency {name!r} of {area.code}"):
            continue
        if key in existing:
            if kind is not None and existing[key].kind != kind:
                row.refuse("kind", f"{area.code} already has {name!r} as {existing[key].kind}, not {kind}")
            continue
        agency = Agency(area=area, name=name, kind=kind or "", district=district, is_active=active)
        clean(row, agency, exclude=["area", "district", "group"])
        reference.agencies[key] = agency
        reference.new_agencies.append(agency)


def _populations(reference: Reference, rows: list[Row]) -> None:
    existing = {
        (code, year): figure
        for code, year, figure in AreaPopulation.objects.values_list("area__code", "year", "population_aged_10_plus")
    }
    seen: dict[object, int] = {}
    for row in rows:
        area = reference.area(row, "area")
        year = row.number("year", required=True)
        figure = row.number("population_aged_10_plus", required=True)
        if area is None or year is None:
            continue
        key = (area.code, year)
        if not _first_line(seen, row, key, "year", f"{area.code}'s population for {year}"):
            continue
        if key in existing:
            if figure is not None and existing[key] != figure:
                row.refuse("population_aged_10_plus", f"The service already has {existing[key]} for {year}")
            continue
        population = AreaPopulation(area=area, year=year)
        population.population_aged_10_plus = figure  # type: ignore[assignment]  # refused above when empty
        clean(row, population, exclude=["area"])
        reference.new_populations.append(population)
