"""Moving nominal records in and out as a folder of CSV files: what the export writes, what the
import refuses (every problem, by file, line and column, and then nothing at all is written), and
records made through the services coming back field by field."""

from __future__ import annotations

import csv
import datetime
import re
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import models, transaction

from agencies.models import Agency, AgencyKind, Area, AreaPopulation, District, Role, User
from cases.interchange import checks
from cases.interchange.columns import COLUMNS
from cases.models import (
    Alias,
    CategoryPeriod,
    Conviction,
    Episode,
    Event,
    EventKind,
    Exit,
    ExitReason,
    LevelPeriod,
    Nominal,
    NominalName,
    Order,
    OrderKind,
    RiskAssessment,
    Source,
    Stream,
)
from cases.services import (
    alias_add,
    conviction_add,
    event_record,
    nominal_category_change,
    nominal_exit,
    nominal_level_change,
    nominal_reenter,
    order_add,
    risk_assessment_add,
)
from mappa.audit.models import AuditEntry, AuditEvent
from reporting.freshness import versions
from reporting.kpis import KPIS_BY_KEY
from tests.conftest import People
from tests.factories import make_user
from tests.nominal_fixtures import make_nominal

pytestmark = pytest.mark.django_db

HISTORY = (Nominal, Alias, Episode, CategoryPeriod, LevelPeriod, Exit, Conviction, Order, Event, RiskAssessment)
EVERYTHING = (*HISTORY, NominalName, Area, District, Agency, AreaPopulation, AuditEntry)
# Set by the service that writes them, not carried by the format.
NOT_CARRIED = {"id", "nominal", "version", "created_at", "updated_at", "recorded_at"}
RECORDED_BY = {"created_by", "recorded_by", "decided_by", "offender_manager"}


def _export(folder: Path, actor: User, *areas: str) -> str:
    out = StringIO()
    extra = ["--area", *areas] if areas else []
    call_command("export_nominals", "--output", str(folder), "--actor", actor.username, *extra, stdout=out)
    return out.getvalue()


def _import(folder: Path, actor: User, *options: str) -> str:
    out = StringIO()
    call_command("import_nominals", str(folder), "--actor", actor.username, *options, stdout=out)
    return out.getvalue()


def _rows(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / name).open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in EVERYTHING}


# Records made through the services, with every kind of history -----------------------------------


def _histories(people: People) -> list[Nominal]:
    """Three people: a Category 1 man released onto notification and an SHPO, raised to Level 2,
    returned to custody for breaching it; a Category 2 man who became Category 3, moved to Sussex,
    exited and came back; a Category 4 man detained in hospital and discharged."""
    actor, day = people.coordinator, datetime.date
    maidstone = District.objects.get(area=people.area, name="Maidstone")
    sussex_unit = people.other_area_coordinator.agency
    first = make_nominal(
        actor=actor,
        area=people.area,
        lead_agency=people.police,
        category=1,
        district=maidstone,
        middle_names="Ian",
        ethnicity="White British",
        pnc_id="2004/0123456X",
        visor_reference="1234567",
        address="1 Secret Street\nMaidstone",
        restricted_notes="=HYPERLINK(victim) is not a formula here",
    )
    alias_add(actor=actor, nominal=first, values={"first_name": "Bob", "last_name": "Smyth", "kind": "spelling"})
    for kind, on in ((EventKind.CUSTODY, day(2020, 3, 2)), (EventKind.RELEASE, day(2022, 3, 2))):
        event_record(actor=actor, nominal=first, values={"kind": kind, "date": on})
    nominal_level_change(
        actor=actor, nominal=first, level=2, start=day(2022, 6, 1), reason="Escalated", source=Source.MEETING
    )
    shpo = {"kind": OrderKind.SHPO, "start": day(2022, 7, 1), "end": day(2027, 6, 30)}
    order_add(actor=actor, nominal=first, values={**shpo, "foreign_travel_restriction": True, "conditions": "-"})
    breach = {"kind": EventKind.BREACH_SHPO, "date": day(2023, 1, 10), "returned_to_custody": True}
    event_record(actor=actor, nominal=first, values={**breach, "notes": "Contact with a child"})
    event_record(actor=actor, nominal=first, values={"kind": EventKind.RELEASE, "date": day(2023, 3, 1)})
    conviction_add(
        actor=actor,
        nominal=first,
        values={"offence_code": "exposure", "conviction_date": day(2023, 1, 5), "sentence_type": "community"},
    )
    risk = {"tool": "arms", "date": day(2022, 5, 1), "result": "high", "agency": people.police, "notes": "Rising"}
    risk_assessment_add(actor=actor, nominal=first, values=risk)

    second = make_nominal(actor=actor, area=people.area, lead_agency=people.police, pnc_id="1999/7654321A")
    risk_assessment_add(actor=actor, nominal=second, values={**risk, "tool": "oasys_rosh", "notes": ""})
    nominal_level_change(
        actor=actor, nominal=second, level=2, start=day(2023, 5, 1), reason="Panel", source=Source.SCREENING
    )
    nominal_category_change(
        actor=actor, nominal=second, category=3, start=day(2023, 8, 1), reason="Review", source=Source.REVIEW
    )
    transfer = {"kind": EventKind.TRANSFER, "date": day(2024, 1, 15), "to_area": people.other_area}
    event_record(actor=actor, nominal=second, values={**transfer, "lead_agency": sussex_unit})
    nominal_exit(
        actor=actor,
        nominal=second,
        reason=ExitReason.LEFT_JURISDICTION,
        date=day(2024, 6, 1),
        rationale="Moved to Scotland",
        review_retention_on=day(2030, 6, 1),
    )
    harassment = {"offence_code": "harassment", "conviction_date": day(2024, 8, 1), "sentence_type": "community"}
    nominal_reenter(
        actor=actor,
        nominal=second,
        category=3,
        level=3,
        start=day(2024, 9, 1),
        reason="Came back",
        source=Source.SCREENING,
        conviction=harassment,
    )

    third = make_nominal(
        actor=actor, area=people.area, lead_agency=people.police, category=4, level=2, stream=Stream.COUNTER_TERRORISM
    )
    for kind, on in ((EventKind.HOSPITAL_DETENTION, day(2021, 1, 4)), (EventKind.HOSPITAL_DISCHARGE, day(2021, 6, 1))):
        event_record(actor=actor, nominal=third, values={"kind": kind, "date": on})
    return [first, second, third]


def _natural(value: models.Model) -> object:
    """A related record as the format names it, the same in any database."""
    if isinstance(value, Area):
        return value.code
    if isinstance(value, District | Agency):
        return (value.area.code, value.name)
    if isinstance(value, Episode):
        return ("episode", value.start)
    if isinstance(value, Conviction):
        return ("conviction", value.offence_code, value.conviction_date)
    raise AssertionError(f"no natural key for {value!r}")


def _fields(record: models.Model) -> dict[str, object]:
    values: dict[str, object] = {}
    for field in record._meta.concrete_fields:
        if field.name in NOT_CARRIED | RECORDED_BY:
            continue
        value = getattr(record, field.name)
        values[field.name] = _natural(value) if isinstance(value, models.Model) else value
    return values


def _snapshot() -> dict[str, dict[str, Any]]:
    """Every field of every nominal and of each of its records (a nominal's in the order recorded),
    and the names search looks in."""
    found = {}
    for nominal in Nominal.objects.order_by("case_reference"):
        found[nominal.case_reference] = {
            "nominal": _fields(nominal),
            "names": sorted(nominal.search_names.values_list("name", flat=True)),
            **{
                model.__name__: [_fields(record) for record in model.objects.filter(nominal=nominal).order_by("pk")]
                for model in HISTORY[1:]
            },
        }
    return found


@pytest.fixture
def administrator(people: People) -> User:
    """A system administrator of the unit, made before any test's savepoint so that they outlast it."""
    return people.administrator


def test_records_made_through_the_services_come_back_field_by_field(
    people: People, administrator: User, tmp_path: Path
) -> None:
    folder = tmp_path / "export"
    before_import = transaction.savepoint()
    made = _histories(people)
    original = _snapshot()
    _export(folder, administrator)
    transaction.savepoint_rollback(before_import)
    assert not Nominal.objects.exists()
    last_entry = AuditEntry.objects.latest("pk").pk

    _import(folder, administrator)

    assert _snapshot() == original
    assert len(original) == len(made) == 3
    second = original[made[1].case_reference]
    assert [e["start"] for e in second["Episode"]] == [datetime.date(2020, 3, 2), datetime.date(2024, 9, 1)]
    assert second["nominal"]["area"] == "SUSSEX"
    assert second["RiskAssessment"][0]["agency"] == ("KENT", "Kent Police")
    # The formula-looking note is written so that a spreadsheet shows it as text, and read back as it was.
    assert _rows(folder, "nominals.csv")[0]["restricted_notes"].startswith("'=HYPERLINK")
    for model in HISTORY[1:]:
        assert not model.objects.exclude(recorded_by=administrator).exists(), model.__name__
    assert not Nominal.objects.exclude(created_by=administrator).exists()
    assert not CategoryPeriod.objects.exclude(decided_by=administrator).exists()
    # One entry per nominal instead of one per row, naming the folder and what it brought.
    added = AuditEntry.objects.filter(pk__gt=last_entry)
    assert added.count() == 3
    entry = added.get(object_repr=made[1].case_reference)
    assert (entry.event, entry.actor, entry.nominal_id) == (AuditEvent.CREATE, administrator, entry.object_id)
    assert entry.additional_data["import"] == str(folder.resolve())
    assert entry.additional_data["records"]["episodes"] == 2
    assert entry.area_id == Area.objects.get(code="SUSSEX").pk
    # New nominals recorded in Kent get references after the imported ones.
    assert Area.objects.get(code="KENT").next_case_number == 4


def test_the_export_is_one_audit_entry_naming_the_administrator_areas_counts_and_folder(
    people: People, administrator: User, tmp_path: Path
) -> None:
    _histories(people)
    entries = AuditEntry.objects.count()

    output = _export(tmp_path / "kent", administrator, "KENT")

    assert AuditEntry.objects.count() == entries + 1
    entry = AuditEntry.objects.latest("pk")
    assert (entry.event, entry.actor, entry.content_type.model) == (AuditEvent.EXPORT, administrator, "nominal")
    assert entry.additional_data["areas"] == ["KENT"]
    assert entry.additional_data["counts"]["nominals.csv"] == 3
    assert entry.additional_data["folder"] == str((tmp_path / "kent").resolve())
    assert "nominals.csv: 3 rows" in output
    assert (tmp_path / "kent").stat().st_mode & 0o077 == 0


def test_an_areas_export_has_the_people_who_moved_out_of_it_and_the_other_area_they_moved_to(
    people: People, administrator: User, tmp_path: Path
) -> None:
    made = _histories(people)
    for area in (people.area, people.other_area):
        AreaPopulation.objects.create(area=area, year=2024, population_aged_10_plus=1_000_000)
    make_nominal(
        actor=people.other_area_coordinator,
        area=people.other_area,
        lead_agency=people.other_area_coordinator.agency,
        last_name="Elsewhere",
    )

    _export(tmp_path / "sussex", administrator, "SUSSEX")

    assert [row["case_reference"] for row in _rows(tmp_path / "sussex", "nominals.csv")] == [
        made[1].case_reference,
        "SUSSEX-000001",
    ]
    assert {row["code"] for row in _rows(tmp_path / "sussex", "areas.csv")} == {"KENT", "SUSSEX"}
    kent_agencies = {row["name"] for row in _rows(tmp_path / "sussex", "agencies.csv") if row["area"] == "KENT"}
    assert kent_agencies == {"Kent Police"}  # the one that assessed him there, not all of Kent's
    assert [row["area"] for row in _rows(tmp_path / "sussex", "area_populations.csv")] == ["SUSSEX"]


def test_an_export_refuses_an_unknown_area_and_a_folder_that_has_files_in_it(
    administrator: User, tmp_path: Path
) -> None:
    with pytest.raises(CommandError, match="no area with the code ESSEX"):
        _export(tmp_path / "a", administrator, "ESSEX")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "notes.txt").write_text("mine")
    with pytest.raises(CommandError, match="not an empty folder"):
        _export(tmp_path / "b", administrator)
    assert not AuditEntry.objects.filter(event=AuditEvent.EXPORT).exists()


# Who may -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["export_nominals", "import_nominals"])
@pytest.mark.parametrize(
    ("who", "refusal"),
    [
        ("coordinator", "coordinator is not a system administrator"),
        ("auditor", "auditor is not a system administrator"),
        ("retired-admin", "retired-admin is deactivated"),
        ("nobody", "There is no user called 'nobody'"),
    ],
)
def test_only_an_active_system_administrator_may_export_or_import(
    people: People, tmp_path: Path, command: str, who: str, refusal: str
) -> None:
    make_user("retired-admin", agency=people.unit, roles=(Role.SYSTEM_ADMINISTRATOR,), is_active=False)
    folder = _hand_made(tmp_path, {})
    entries = AuditEntry.objects.count()
    target = ["--output", str(tmp_path / "out")] if command == "export_nominals" else [str(folder)]

    with pytest.raises(CommandError, match=refusal):
        call_command(command, *target, "--actor", who, stdout=StringIO())

    assert AuditEntry.objects.count() == entries
    assert not (tmp_path / "out").exists()
    assert not Nominal.objects.exists()


def test_the_bootstrap_superuser_may_import(people: People, tmp_path: Path) -> None:
    superuser = User.objects.create_superuser("root", "root@example.org", "a-long-password-1234")

    _import(_hand_made(tmp_path, {}), superuser)

    assert Nominal.objects.filter(case_reference="KENT-000101").exists()


# Hand-made folders: what a unit's spreadsheet gives -------------------------------------------------

PERSON: dict[str, list[dict[str, str]]] = {
    "nominals.csv": [
        {
            "case_reference": "KENT-000101",
            "first_name": "Alan",
            "last_name": "Example",
            "date_of_birth": "1980-05-17",
            "gender": "male",
            "pnc_id": "2004/0000101A",
            "area": "KENT",
            "district": "Maidstone",
            "lead_agency": "Kent Police",
            "location": "community",
            "stream": "local",
            "category": "2",
            "level": "2",
            "status": "active",
        }
    ],
    "episodes.csv": [{"case_reference": "KENT-000101", "episode": "1", "start": "2020-03-02", "reason": "Eligible"}],
    "category_periods.csv": [
        {
            "case_reference": "KENT-000101",
            "episode": "1",
            "category": "2",
            "start": "2020-03-02",
            "source": "initial",
            "reason": "Wounding",
        }
    ],
    "level_periods.csv": [
        {
            "case_reference": "KENT-000101",
            "episode": "1",
            "level": "2",
            "start": "2020-03-02",
            "source": "screening",
            "reason": "Risk",
        }
    ],
    "convictions.csv": [
        {
            "case_reference": "KENT-000101",
            "conviction": "1",
            "offence_code": "wounding-with-intent",
            "conviction_date": "2020-03-02",
            "sentence_type": "life",
        }
    ],
    "orders.csv": [
        {
            "case_reference": "KENT-000101",
            "kind": "licence",
            "conviction": "1",
            "start": "2022-03-02",
            "indefinite": "yes",
        }
    ],
}


def _hand_made(tmp_path: Path, changes: dict[str, list[dict[str, str]]], name: str = "import") -> Path:
    """The one-person folder above, with whole files replaced or added by `changes`."""
    folder = tmp_path / name
    folder.mkdir(exist_ok=True)
    for file, rows in {**PERSON, **changes}.items():
        with (folder / file).open("w", encoding="utf-8", newline="") as out:
            writer = csv.DictWriter(out, fieldnames=COLUMNS[file], restval="")
            writer.writeheader()
            writer.writerows(rows)
    return folder


def _with(file: str, line: int = 2, **cells: str) -> dict[str, list[dict[str, str]]]:
    """PERSON's `file` with some cells of the row on `line` changed (the header is line 1)."""
    rows = [dict(row) for row in PERSON[file]]
    rows[line - 2].update(cells)
    return {file: rows}


def _second(**cells: str) -> dict[str, list[dict[str, str]]]:
    """A second person, the same as the first but for the case reference, the PNC ID and `cells`."""
    changed = {}
    for file, rows in PERSON.items():
        another = {**rows[0], "case_reference": "KENT-000102"}
        if file == "nominals.csv":
            another.update({"pnc_id": "2004/0000102B", **cells})
        changed[file] = [rows[0], another]
    return changed


def test_a_hand_made_folder_is_imported_with_its_search_names_and_the_next_case_number_moved_on(
    people: People, administrator: User, tmp_path: Path
) -> None:
    aliases = {"aliases.csv": [{"case_reference": "KENT-000101", "first_name": "Al", "last_name": "Sample"}]}

    output = _import(_hand_made(tmp_path, aliases), administrator)

    nominal = Nominal.objects.get(case_reference="KENT-000101")
    assert (nominal.lead_agency, nominal.district.name, nominal.level) == (people.police, "Maidstone", 2)
    assert sorted(nominal.search_names.values_list("name", flat=True)) == ["al sample", "alan example"]
    assert nominal.orders.get().conviction == nominal.convictions.get()
    assert Area.objects.get(code="KENT").next_case_number == 102
    assert "nominals.csv: 1 rows" in output
    assert "agencies.csv: 0 rows" in output


REFUSALS = [
    pytest.param(
        _with("nominals.csv", date_of_birth="17/05/1980"),
        "nominals.csv, line 2, date_of_birth: '17/05/1980' is not a date as YYYY-MM-DD",
        id="bad date",
    ),
    pytest.param(
        _with("nominals.csv", area="ESSEX"),
        "nominals.csv, line 2, area: No area ESSEX in areas.csv or in the service",
        id="unknown area",
    ),
    pytest.param(
        _second(pnc_id="2004/0000101A"),
        "nominals.csv, line 3, pnc_id: 2004/0000101A is also on line 2",
        id="duplicate PNC in the file",
    ),
    pytest.param(
        {
            "category_periods.csv": [
                *PERSON["category_periods.csv"],
                {**PERSON["category_periods.csv"][0], "case_reference": "KENT-000999", "start": "2021-01-01"},
            ]
        },
        "category_periods.csv, line 3, case_reference: No nominal KENT-000999 in nominals.csv: records come with"
        " their nominal",
        id="period of an unknown case reference",
    ),
    pytest.param(
        _with("nominals.csv", category="3", level="1"),
        "nominals.csv, line 2, level: Category 3 is never managed at Level 1",
        id="category 3 at level 1",
    ),
    pytest.param(
        {
            **_with("category_periods.csv", category="3"),
            **_with("level_periods.csv", level="1"),
            **_with("nominals.csv", category="3", level="2"),
        },
        "level_periods.csv, line 2, level: Category 3 is never managed at Level 1 (Category 3 on line 2)",
        id="category 3 at level 1 in the histories",
    ),
    pytest.param(
        _with("nominals.csv", gender="m"),
        "nominals.csv, line 2, gender: 'm' is not one of: male, female, other, not_known",
        id="choice not allowed",
    ),
    pytest.param(
        _with("nominals.csv", crn="12345"),
        "nominals.csv, line 2, crn: Enter a CRN like X123456",
        id="identifier format",
    ),
    pytest.param(
        _with("episodes.csv", end="2019-01-01"),
        "episodes.csv, line 2, end: 2019-01-01 is before the start, 2020-03-02",
        id="end before start",
    ),
    pytest.param(
        {**_with("episodes.csv", end="2024-05-31"), **_with("nominals.csv", status="exited")},
        "episodes.csv, line 2, end: The episode is closed but has no exit in exits.csv",
        id="closed episode without an exit",
    ),
    pytest.param(
        {
            "level_periods.csv": [
                *PERSON["level_periods.csv"],
                {**PERSON["level_periods.csv"][0], "level": "3", "start": "2023-01-01"},
            ]
        },
        "level_periods.csv, line 3, end: Only one level period is open; line 2 is open too",
        id="two open level periods",
    ),
    pytest.param(
        _with("nominals.csv", level="3"),
        "nominals.csv, line 2, level: Must be 2, from the latest level period of its latest episode",
        id="current level not the history's",
    ),
    pytest.param(
        _with("orders.csv", conviction="2"),
        "orders.csv, line 2, conviction: KENT-000101 has no conviction 2 in convictions.csv",
        id="order of an unknown conviction",
    ),
    pytest.param(
        _with("nominals.csv", lead_agency="Essex Police"),
        "nominals.csv, line 2, lead_agency: No agency 'Essex Police' in KENT in agencies.csv or in the service",
        id="unknown agency",
    ),
    pytest.param(
        {"agencies.csv": [{"area": "KENT", "name": "Kent Police", "kind": "probation"}]},
        "agencies.csv, line 2, kind: KENT already has 'Kent Police' as police, not probation",
        id="agency of another kind",
    ),
    pytest.param(
        {"area_populations.csv": [{"area": "KENT", "year": "2024", "population_aged_10_plus": "12"}]},
        "area_populations.csv, line 2, population_aged_10_plus: The service already has 1500000 for 2024",
        id="population the service has otherwise",
    ),
]


@pytest.mark.parametrize(("changes", "refusal"), REFUSALS)
def test_a_refused_row_is_reported_by_file_line_and_column_and_nothing_is_written(
    people: People, administrator: User, tmp_path: Path, changes: dict[str, Any], refusal: str
) -> None:
    AreaPopulation.objects.create(area=people.area, year=2024, population_aged_10_plus=1_500_000)
    folder = _hand_made(tmp_path, {**_new_agency(), **changes})

    assert refusal in _refused(folder, administrator)


def _refused(folder: Path, actor: User) -> list[str]:
    """The lines of the refusal report, once it is clear that nothing was written."""
    before = _counts()
    out = StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_nominals", str(folder), "--actor", actor.username, stdout=out)
    assert _counts() == before
    return out.getvalue().splitlines()


def test_an_identifier_or_case_reference_the_service_has_is_refused(
    people: People, administrator: User, tmp_path: Path
) -> None:
    make_nominal(actor=people.coordinator, area=people.area, lead_agency=people.police, pnc_id="2004/0000101A")
    folder = _hand_made(tmp_path, {**_new_agency(), **_renamed("KENT-000001")})

    assert _refused(folder, administrator) == [
        "nominals.csv, line 2, case_reference: KENT-000001 is already in the service (nothing is overwritten)",
        "nominals.csv, line 2, pnc_id: 2004/0000101A is already the PNC ID of KENT-000001 in the service",
    ]


def _new_agency() -> dict[str, list[dict[str, str]]]:
    """An agency the service does not have yet, so that a refusal must also undo its creation."""
    return {"agencies.csv": [{"area": "KENT", "name": "Kent Probation", "kind": "probation"}]}


def test_every_problem_of_every_file_is_reported_in_one_run(administrator: User, tmp_path: Path) -> None:
    changes = {
        **_with("nominals.csv", date_of_birth="1980-02-30", gender=""),
        **_with("episodes.csv", start="soon"),
        "events.csv": [{"case_reference": "KENT-000101", "date": "2021-01-01", "kind": "escape"}],
    }
    folder = _hand_made(tmp_path, changes)
    (folder / "notes.csv").write_text("anything\n")
    out = StringIO()

    with pytest.raises(CommandError, match="5 problems in 4 files"):
        call_command("import_nominals", str(folder), "--actor", administrator.username, stdout=out)

    assert out.getvalue().splitlines() == [
        "nominals.csv, line 2, date_of_birth: '1980-02-30' is not a date as YYYY-MM-DD",
        "nominals.csv, line 2, gender: Required",
        "episodes.csv, line 2, start: 'soon' is not a date as YYYY-MM-DD",
        "events.csv, line 2, kind: 'escape' is not one of: " + ", ".join(EventKind.values),
        "notes.csv, line 1, row: Not a file of the import format (its files: " + ", ".join(COLUMNS) + ")",
    ]


def test_a_file_as_a_spreadsheet_saves_it_is_read_and_its_lines_counted_as_an_editor_shows_them(
    administrator: User, tmp_path: Path
) -> None:
    """Excel's CSV UTF-8: a byte order mark, CRLF line ends, line breaks inside quoted cells."""
    two = _second(date_of_birth="1980-13-01")
    two["nominals.csv"][0] = {**two["nominals.csv"][0], "address": "1 High Street\nMaidstone\nKent"}
    folder = _hand_made(tmp_path, two)
    text = (folder / "nominals.csv").read_text(encoding="utf-8")
    (folder / "nominals.csv").write_bytes(b"\xef\xbb\xbf" + text.replace("\r\n", "\n").replace("\n", "\r\n").encode())

    assert _refused(folder, administrator) == [
        "nominals.csv, line 5, date_of_birth: '1980-13-01' is not a date as YYYY-MM-DD",
    ]


def test_a_header_without_a_column_of_the_format_is_refused(administrator: User, tmp_path: Path) -> None:
    folder = _hand_made(tmp_path, {})
    (folder / "aliases.csv").write_text("case_reference,first_name,surname,kind\nKENT-000101,Al,Sample,alias\n")

    assert _refused(folder, administrator) == [
        "aliases.csv, line 1, row: Header row: missing column last_name; unknown column 'surname'"
    ]


def test_a_row_the_database_refuses_after_the_checks_undoes_everything_written_before_it(
    people: People, administrator: User, tmp_path: Path, monkeypatch: Any
) -> None:
    """As when someone records the same person between the checks and the writing."""
    make_nominal(actor=people.coordinator, area=people.area, lead_agency=people.police, pnc_id="2004/0000101A")
    monkeypatch.setattr(checks, "_in_service", lambda field, values: iter(()))
    folder = _hand_made(tmp_path, _new_agency())
    before = _counts()

    with pytest.raises(CommandError, match="The database refused a row the checks had passed"):
        _import(folder, administrator)

    assert _counts() == before
    assert Area.objects.get(code="KENT").next_case_number == 2


def test_a_dry_run_checks_everything_and_writes_nothing(people: People, administrator: User, tmp_path: Path) -> None:
    folder = _hand_made(tmp_path, _new_agency())
    before = _counts()

    output = _import(folder, administrator, "--dry-run")

    assert "Dry run: every row is acceptable. Nothing was written." in output
    assert "agencies.csv: 1 rows (1 would be created; the rest the service already had)" in output
    assert _counts() == before
    assert Area.objects.get(code="KENT").next_case_number == 1


def test_areas_districts_and_agencies_the_service_lacks_are_created_with_one_audit_entry(
    people: People, administrator: User, tmp_path: Path
) -> None:
    essex = {
        "areas.csv": [{"code": "ESSEX", "name": "Essex", "level2_review_weeks": "12"}],
        "districts.csv": [{"area": "ESSEX", "name": "Chelmsford"}],
        "agencies.csv": [{"area": "ESSEX", "name": "Essex Police", "kind": "police", "district": "Chelmsford"}],
        "area_populations.csv": [{"area": "ESSEX", "year": "2024", "population_aged_10_plus": "1600000"}],
    }
    moved = _with("nominals.csv", area="ESSEX", district="", lead_agency="Essex Police", case_reference="ESSEX-000007")
    folder = _hand_made(tmp_path, {**essex, **_renamed("ESSEX-000007"), **moved})
    last_entry = AuditEntry.objects.latest("pk").pk

    _import(folder, administrator)

    area = Area.objects.get(code="ESSEX")
    assert (area.name, area.level2_review_weeks, area.level3_review_weeks, area.next_case_number) == ("Essex", 12, 8, 8)
    police = Agency.objects.get(area=area, name="Essex Police")
    assert (police.kind, police.district.name, police.group.name) == (
        AgencyKind.POLICE,
        "Chelmsford",
        "agency:ESSEX:Essex Police",
    )
    assert Nominal.objects.get(case_reference="ESSEX-000007").lead_agency == police
    # One entry for the nominal, one for the reference data; django-auditlog wrote none of its own.
    added = AuditEntry.objects.filter(pk__gt=last_entry)
    assert sorted(added.values_list("content_type__model", flat=True)) == ["area", "nominal"]
    entry = added.get(content_type__model="area")
    assert (entry.event, entry.actor) == (AuditEvent.CREATE, administrator)
    assert entry.additional_data["areas"] == ["ESSEX"]
    assert entry.additional_data["districts"] == [["ESSEX", "Chelmsford"]]
    assert entry.additional_data["agencies"] == [["ESSEX", "Essex Police"]]
    assert entry.additional_data["area_populations"] == [["ESSEX", 2024]]


def _renamed(reference: str) -> dict[str, list[dict[str, str]]]:
    return {file: [{**row, "case_reference": reference} for row in rows] for file, rows in PERSON.items()}


def test_an_import_forgets_the_dashboards_cached_figures_of_the_areas_it_adds_to(
    people: People, administrator: User, tmp_path: Path
) -> None:
    before = versions(people.area.pk, KPIS_BY_KEY), versions(people.other_area.pk, KPIS_BY_KEY)

    _import(_hand_made(tmp_path, {}), administrator)

    kent, sussex = versions(people.area.pk, KPIS_BY_KEY), versions(people.other_area.pk, KPIS_BY_KEY)
    assert all(kent[key] != before[0][key] for key in KPIS_BY_KEY)
    assert sussex == before[1]


def test_text_that_a_spreadsheet_would_run_as_a_formula_survives_the_guarding_both_ways() -> None:
    from cases.interchange.columns import guarded, unguarded

    for text in ["=SUM(A1)", "+44 1234", "-", "@home", "'=quoted", "''", "'plain", "plain", "", "'"]:
        assert unguarded(guarded(text)) == text
    assert guarded("=SUM(A1)") == "'=SUM(A1)"
    assert guarded("'plain") == "'plain"


def test_the_documented_format_names_every_column_of_every_file() -> None:
    """docs/import-format.md has a section per file (or pair of files) with a row per column."""
    text = (Path(__file__).parents[2] / "docs" / "import-format.md").read_text()
    sections = re.findall(r"^### (.+?)\n(.*?)(?=^##)", text + "\n##", flags=re.MULTILINE | re.DOTALL)
    documented: dict[tuple[str, ...], set[str]] = {}
    for heading, body in sections:
        files = tuple(re.findall(r"`([a-z_]+\.csv)`", heading))
        documented[files] = set(re.findall(r"^\| `([a-z_0-9]+)`", body, flags=re.MULTILINE))
    assert sorted(file for files in documented for file in files) == sorted(COLUMNS)
    for files, names in documented.items():
        assert names == {column for file in files for column in COLUMNS[file]}, files
