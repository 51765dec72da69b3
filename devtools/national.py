"""National-scale demo data: all 42 MAPPA areas of England and Wales, generated in bulk.

`manage.py seed_demo --scale national` adds, beside the Kent and Sussex demo, the other 40 areas with
their districts, agencies and a co-ordinator and chair each; 100,000 nominals across the 42 areas in
proportion to population, with ten years of history; a year of monthly panel days per district with
the Level 2 and 3 cases discussed on them (held and distributed meetings with attendance, plans and
actions, and the agency shares and minutes permissions that come with them); and an audit log of
5 million hash-chained entries. Rows are written with bulk inserts and COPY, not through the
services, so that this takes minutes; what the services would add on top (notifications, one audit
entry per write) is left out. Everything is fictional and reproducible from fixed seeds.
"""

from __future__ import annotations

import datetime
import random
import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import SimpleNamespace

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone
from psycopg.types.json import Jsonb

from agencies.models import Agency, AgencyKind, Area, Role, User
from agencies.services import user_save
from cases.models import Level, Nominal, NominalGroupObjectPermission, Status
from devtools.demo.agencies import demo_agency, demo_area
from devtools.demo.cases import generate_nominals
from mappa.audit.models import AuditEntry, AuditEvent, entry_hash, last_hash, lock_chain
from meetings.models import (
    Action,
    ActionStatus,
    Attendance,
    Invitation,
    LevelDecision,
    Meeting,
    MeetingGroupObjectPermission,
    MeetingKind,
    MeetingStatus,
    PanelDay,
    Pillar,
    RiskManagementPlan,
)
from reporting import freshness

NOMINALS = 100_000
AUDIT_ENTRIES = 5_000_000
CHUNK = 10_000
# The 42 MAPPA areas (police force areas) and their population aged 10 and over, in thousands
# (rounded, for proportions only).
AREAS: list[tuple[str, str, int]] = [
    ("Avon and Somerset", "AVON", 1_580),
    ("Bedfordshire", "BEDS", 620),
    ("Cambridgeshire", "CAMBS", 790),
    ("Cheshire", "CHESHIRE", 1_000),
    ("Cleveland", "CLEVELAND", 510),
    ("Cumbria", "CUMBRIA", 450),
    ("Derbyshire", "DERBYS", 950),
    ("Devon and Cornwall", "DEVON", 1_600),
    ("Dorset", "DORSET", 700),
    ("Durham", "DURHAM", 570),
    ("Dyfed-Powys", "DYFED", 470),
    ("Essex", "ESSEX", 1_660),
    ("Gloucestershire", "GLOS", 580),
    ("Greater Manchester", "GMP", 2_560),
    ("Gwent", "GWENT", 540),
    ("Hampshire", "HANTS", 1_790),
    ("Hertfordshire", "HERTS", 1_080),
    ("Humberside", "HUMBER", 840),
    ("Kent and Medway", "KENT", 1_706),
    ("Lancashire", "LANCS", 1_370),
    ("Leicestershire", "LEICS", 990),
    ("Lincolnshire", "LINCS", 690),
    ("London", "LONDON", 7_900),
    ("Merseyside", "MERSEY", 1_280),
    ("Norfolk", "NORFOLK", 820),
    ("North Wales", "NWALES", 630),
    ("North Yorkshire", "NYORKS", 740),
    ("Northamptonshire", "NORTHANTS", 700),
    ("Northumbria", "NORTHUMB", 1_330),
    ("Nottinghamshire", "NOTTS", 1_050),
    ("South Wales", "SWALES", 1_190),
    ("South Yorkshire", "SYORKS", 1_250),
    ("Staffordshire", "STAFFS", 1_000),
    ("Suffolk", "SUFFOLK", 690),
    ("Surrey", "SURREY", 1_080),
    ("Sussex", "SUSSEX", 1_520),
    ("Thames Valley", "TVP", 2_180),
    ("Warwickshire", "WARKS", 540),
    ("West Mercia", "WMERCIA", 1_140),
    ("West Midlands", "WMIDS", 2_620),
    ("West Yorkshire", "WYORKS", 2_090),
    ("Wiltshire", "WILTS", 660),
]
DISTRICTS = ("North", "South", "East", "West", "Central")


@dataclass
class NationalArea:
    area: Area
    coordinator: User
    chair: User
    standing: list[Agency]  # police, probation, children's services: at every panel
    housing: dict[int, Agency]  # district id -> its housing agency
    share: int  # nominals wanted


def seed_national(
    *,
    nominals: int = NOMINALS,
    audit_entries: int = AUDIT_ENTRIES,
    today: datetime.date,
    say: Callable[[str], None] = print,
) -> None:
    """Bring the database up to national scale. Safe to run again: it only adds what is missing."""
    started = time.perf_counter()
    areas = [_national_area(name, code, population, nominals) for name, code, population in AREAS]
    say(f"{len(areas)} areas with their districts, agencies and staff ({time.perf_counter() - started:.0f} s)")
    for national in areas:
        have = Nominal.objects.filter(area=national.area).count()
        while have < national.share:
            count = min(CHUNK, national.share - have)
            with transaction.atomic():
                generate_nominals(
                    area=national.area,
                    count=count,
                    seed=zlib.crc32(national.area.code.encode()) % 10_000 + have,
                    today=today,
                    decided_by=national.coordinator,
                )
            have += count
    say(f"{Nominal.objects.count()} nominals ({time.perf_counter() - started:.0f} s)")
    for national in areas:
        if not PanelDay.objects.filter(area=national.area).exists():
            with transaction.atomic():
                _meetings(national, today)
    say(f"{Meeting.objects.count()} meetings, {Action.objects.count()} actions ({time.perf_counter() - started:.0f} s)")
    fill_audit_log(audit_entries, say=say)
    freshness.forget(national.area.pk for national in areas)  # the bulk inserts sent no signals
    with connection.cursor() as cursor:
        # Bulk inserts leave the trigram index's pending list long, which makes the planner avoid
        # the index for name searches until (auto)vacuum has run; vacuum now, as production would.
        cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")  # no VACUUM in a transaction
    say(f"{AuditEntry.objects.count()} audit entries; national data ready in {time.perf_counter() - started:.0f} s")


def _national_area(name: str, code: str, population: int, nominals: int) -> NationalArea:
    total = sum(people for _, _, people in AREAS)
    area = demo_area(name, code, [f"{name} {part}" for part in DISTRICTS], population * 1_000)
    agencies = [
        demo_agency(area, f"{name} Police", AgencyKind.POLICE),
        demo_agency(area, f"{name} Probation Service", AgencyKind.PROBATION),
        demo_agency(area, f"{name} Children's Services", AgencyKind.CHILDRENS_SERVICES),
    ]
    demo_agency(area, f"{name} Mental Health Trust", AgencyKind.MENTAL_HEALTH)
    unit = demo_agency(area, f"{name} MAPPA Unit", AgencyKind.OTHER)
    housing = {}
    for district in area.districts.all():
        housing[district.pk] = Agency.objects.filter(
            area=area, kind=AgencyKind.HOUSING, district=district
        ).first() or demo_agency(area, f"{district.name} Housing", AgencyKind.HOUSING, district)
    return NationalArea(
        area=area,
        coordinator=_staff(f"{code.lower()}-coordinator", unit, Role.COORDINATOR),
        chair=_staff(f"{code.lower()}-chair", agencies[0], Role.CHAIR),
        standing=agencies,
        housing=housing,
        share=round(nominals * population / total),
    )


def _staff(username: str, agency: Agency, role: Role) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, first_name=role.label, last_name=agency.area.name, agency=agency)
        user.set_unusable_password()
        user = user_save(actor=None, user=user, roles=[role], category4_cleared=role == Role.COORDINATOR)
    return user


def _meetings(national: NationalArea, today: datetime.date) -> None:
    """A year of monthly panel days per district, with every active Level 2 and 3 case reviewed at
    its level's interval: held and distributed meetings in the past, scheduled ones to come."""
    area = national.area
    rng = random.Random(area.pk)  # noqa: S311  (reproducible demo data)  # nosec B311
    cases = list(
        Nominal.objects.filter(
            area=area, status=Status.ACTIVE, level__in=[Level.LEVEL_2, Level.LEVEL_3], district__isnull=False
        ).values_list("pk", "district_id", "level", "lead_agency_id")
    )
    days = PanelDay.objects.bulk_create(
        PanelDay(
            area=area, district=district, date=_month(today, months).replace(day=10 + number), place="Police station"
        )
        for number, district in enumerate(area.districts.all())
        for months in range(-12, 2)
    )
    meetings: list[Meeting] = []
    for day in days:
        past = day.date < today
        for pk, district_id, level, _lead in cases:
            interval = 2 if level == Level.LEVEL_3 else 4
            if district_id != day.district_id or (day.date.month + pk) % interval:
                continue
            starts = timezone.make_aware(datetime.datetime.combine(day.date, datetime.time(9 + len(meetings) % 7)))
            meetings.append(
                Meeting(
                    area=area,
                    panel_day=day,
                    nominal_id=pk,
                    kind=MeetingKind.REVIEW,
                    level=level,
                    chair=national.chair,
                    minute_taker=national.coordinator,
                    starts_at=starts,
                    status=MeetingStatus.DISTRIBUTED if past else MeetingStatus.SCHEDULED,
                    confidentiality_statement_read=past,
                    rosh_level="high" if past else "",
                    level_decision=LevelDecision.CONTINUE if past else "",
                    level_rationale="The plan is working." if past else "",
                    next_review=day.date + datetime.timedelta(weeks=4 * interval) if past else None,
                    held_at=starts if past else None,
                    approved_at=starts + datetime.timedelta(days=3) if past else None,
                    distributed_at=starts + datetime.timedelta(days=rng.randint(3, 16)) if past else None,
                )
            )
    Meeting.objects.bulk_create(meetings, batch_size=2000)
    RiskManagementPlan.objects.bulk_create(
        (RiskManagementPlan(meeting=meeting, supervision="Weekly supervision.") for meeting in meetings),
        batch_size=2000,
    )
    district_of = {pk: district for pk, district, _, _ in cases}
    lead_of = {pk: lead for pk, _, _, lead in cases}
    invitations, actions, shares, grants = [], [], set(), []
    agenda, minutes = _permission("meetings", "view_agenda"), _permission("meetings", "view_minutes")
    groups = {agency.pk: agency.group_id for agency in [*national.standing, *national.housing.values()]}
    for meeting in meetings:
        past = meeting.status == MeetingStatus.DISTRIBUTED
        invited = [*national.standing, national.housing[district_of[meeting.nominal_id]]]
        for agency in invited:
            attended = past and rng.random() < 0.9
            invitations.append(
                Invitation(
                    meeting=meeting,
                    agency=agency,
                    standing=True,
                    attendance=(Attendance.ATTENDED if attended else Attendance.APOLOGIES)
                    if past
                    else Attendance.INVITED,
                    attendee_name="Officer" if attended else "",
                )
            )
            grants.append((agenda, agency.pk, meeting.pk))
            if attended:
                grants.append((minutes, agency.pk, meeting.pk))
            if agency.pk != lead_of[meeting.nominal_id]:
                shares.add((agency.pk, meeting.nominal_id))
        if past:
            held = timezone.localdate(meeting.starts_at)
            for number in range(rng.randint(1, 3)):
                due = held + datetime.timedelta(days=rng.randint(7, 60))
                status = (
                    rng.choice(list(ActionStatus))
                    if due >= today
                    else rng.choice(
                        [ActionStatus.COMPLETE, ActionStatus.COMPLETE, ActionStatus.COMPLETE, ActionStatus.NOT_DONE]
                    )
                )
                actions.append(
                    Action(
                        meeting=meeting,
                        nominal_id=meeting.nominal_id,
                        recorded_by=national.coordinator,
                        pillar=list(Pillar)[number % len(Pillar)],
                        description="Visit and review the conditions.",
                        owning_agency=invited[rng.randrange(len(invited))],
                        due=due,
                        status=status,
                        completed_on=min(due, today) if status == ActionStatus.COMPLETE else None,
                    )
                )
    Invitation.objects.bulk_create(invitations, batch_size=5000)
    Action.objects.bulk_create(actions, batch_size=5000)
    MeetingGroupObjectPermission.objects.bulk_create(
        (
            MeetingGroupObjectPermission(permission=permission, group_id=groups[agency], content_object_id=meeting)
            for permission, agency, meeting in grants
        ),
        batch_size=5000,
    )
    view = _permission("cases", "view_nominal")
    NominalGroupObjectPermission.objects.bulk_create(
        (
            NominalGroupObjectPermission(permission=view, group_id=groups[agency], content_object_id=nominal)
            for agency, nominal in shares
        ),
        batch_size=5000,
        ignore_conflicts=True,
    )


def _month(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def _permission(app_label: str, codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


# The audit log -----------------------------------------------------------------------------------

COLUMNS = (
    "content_type_id",
    "object_pk",
    "object_id",
    "object_repr",
    "action",
    "changes_text",
    "changes",
    "actor_id",
    "timestamp",
    "additional_data",
    "event",
    "ground",
    "attempted_username",
    "nominal_id",
    "area_id",
    "prev_hash",
    "entry_hash",
)
EVENTS = [(AuditEvent.VIEW, 80), (AuditEvent.CHANGE, 10), (AuditEvent.SEARCH, 5), (AuditEvent.SIGN_IN, 5)]


def fill_audit_log(wanted: int, *, say: Callable[[str], None] = print, days: int = 365) -> None:
    """Add hash-chained entries (written with COPY) until the log holds `wanted`, spread over the
    last `days` days: people viewing and changing the nominals of their area, searching, signing in."""
    have = AuditEntry.objects.count()
    if have >= wanted:
        return
    rng = random.Random(have)  # noqa: S311  (generated demo data)  # nosec B311
    people: dict[int, list[tuple[int, str]]] = {}
    for pk, username, area in User.objects.filter(agency__isnull=False).values_list(
        "pk", "username", "agency__area_id"
    ):
        people.setdefault(area, []).append((pk, username))
    weights = dict(Nominal.objects.values("area_id").annotate(n=Count("pk")).values_list("area_id", "n"))
    areas = [area for area in weights if area in people]
    nominals = {
        area: list(Nominal.objects.filter(area_id=area).order_by("?").values_list("pk", "case_reference")[:3000])
        for area in areas
    }
    choose_area = _weighted(rng, areas, [weights[area] for area in areas])
    nominal_type = ContentType.objects.get_for_model(Nominal).pk
    user_type = ContentType.objects.get_for_model(User).pk
    events = [event for event, weight in EVENTS for _ in range(weight)]
    count = wanted - have
    start = timezone.now() - datetime.timedelta(days=days)
    step = datetime.timedelta(days=days) / count
    began = time.perf_counter()
    with transaction.atomic():
        lock_chain()
        previous = last_hash()
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY audit_auditentry ({', '.join(COLUMNS)}) FROM STDIN") as copy,
        ):
            for number in range(count):
                area = choose_area()
                actor, username = rng.choice(people[area])
                event = rng.choice(events)
                pk, reference = rng.choice(nominals[area])
                about_nominal = event in (AuditEvent.VIEW, AuditEvent.CHANGE)
                entry = SimpleNamespace(
                    timestamp=start + step * number,
                    event=event,
                    action=1 if event == AuditEvent.CHANGE else 3,
                    actor_id=actor,
                    content_type_id=nominal_type if about_nominal else user_type,
                    object_pk=str(pk) if about_nominal else str(actor),
                    object_repr=reference if about_nominal else username,
                    changes={"address": ["[restricted]", "[restricted]"]} if event == AuditEvent.CHANGE else None,
                    ground="Lead agency" if event == AuditEvent.VIEW else "",
                    remote_addr=None,
                    nominal_id=pk if about_nominal else None,
                    area_id=area,
                    additional_data={"page": "summary"} if event == AuditEvent.VIEW else None,
                    attempted_username="",
                    cid=None,
                    prev_hash=previous,
                )
                previous = entry_hash(entry)  # type: ignore[arg-type]
                copy.write_row(
                    (
                        entry.content_type_id,
                        entry.object_pk,
                        pk if about_nominal else actor,
                        entry.object_repr,
                        entry.action,
                        "",
                        Jsonb(entry.changes) if entry.changes else None,
                        actor,
                        entry.timestamp,
                        Jsonb(entry.additional_data) if entry.additional_data else None,
                        event,
                        entry.ground,
                        "",
                        entry.nominal_id,
                        area,
                        entry.prev_hash,
                        previous,
                    )
                )
                if number and number % 1_000_000 == 0:
                    say(f"  {number} audit entries written ({time.perf_counter() - began:.0f} s)")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE audit_auditentry")
    say(f"Wrote {count} chained audit entries in {time.perf_counter() - began:.0f} s")


def _weighted(rng: random.Random, choices: Sequence[int], weights: Sequence[int]) -> Callable[[], int]:
    """A chooser drawing from `choices` in proportion to `weights`, 1,000 draws at a time."""
    pending: list[int] = []

    def choose() -> int:
        if not pending:
            pending.extend(rng.choices(choices, weights=weights, k=1000))
        return pending.pop()

    return choose
