"""Demo areas, agencies and people. Place and agency names are of the kind a real unit works with;
every person is fictional. Running it again changes nothing that is already there."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies.models import Agency, AgencyKind, Area, AreaPopulation, District, Role, User
from agencies.services import agency_save, user_save

DEMO_PASSWORD = "mappa-demo-2026"  # noqa: S105  (documented in the README; demo data only)  # nosec B105
# Every demo user's authenticator key, documented in the README as GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ
# (base32), so that the demo and the browser tests can sign in with two factors. Demo data only.
DEMO_TOTP_KEY = "3132333435363738393031323334353637383930"

KENT_DISTRICTS = [
    "Ashford",
    "Canterbury",
    "Dartford",
    "Dover",
    "Folkestone and Hythe",
    "Gravesham",
    "Maidstone",
    "Medway",
    "Sevenoaks",
    "Swale",
    "Thanet",
    "Tonbridge and Malling",
    "Tunbridge Wells",
]

KENT_AGENCIES: list[tuple[str, AgencyKind]] = [
    ("Kent and Medway MAPPA Co-ordination Unit", AgencyKind.OTHER),
    ("Kent Police", AgencyKind.POLICE),
    ("Probation Service, Kent and Medway", AgencyKind.PROBATION),
    ("HM Prison and Probation Service, Kent prisons", AgencyKind.PRISON),
    ("Kent County Council Children's Social Care", AgencyKind.CHILDRENS_SERVICES),
    ("Medway Council Children's Services", AgencyKind.CHILDRENS_SERVICES),
    ("Kent County Council Adult Social Care", AgencyKind.ADULTS_SERVICES),
    ("Medway Council Adult Social Care", AgencyKind.ADULTS_SERVICES),
    ("Kent and Medway Mental Health Trust", AgencyKind.MENTAL_HEALTH),
    ("Kent and Medway Integrated Care Board", AgencyKind.HEALTH),
    ("Kent Youth Justice Service", AgencyKind.YOUTH_JUSTICE),
    ("Medway Youth Justice Service", AgencyKind.YOUTH_JUSTICE),
    ("Kent County Council Education Safeguarding", AgencyKind.EDUCATION),
    ("DWP Jobcentre Plus, Kent", AgencyKind.DWP),
    ("Electronic Monitoring Service", AgencyKind.ELECTRONIC_MONITORING),
    ("Home Office Immigration Enforcement, South East", AgencyKind.IMMIGRATION),
]

SUSSEX_DISTRICTS = ["Brighton and Hove", "Crawley", "Eastbourne", "Hastings", "Horsham", "Worthing"]

SUSSEX_AGENCIES: list[tuple[str, AgencyKind]] = [
    ("Sussex MAPPA Co-ordination Unit", AgencyKind.OTHER),
    ("Sussex Police", AgencyKind.POLICE),
    ("Probation Service, Sussex", AgencyKind.PROBATION),
    ("West Sussex Children's Services", AgencyKind.CHILDRENS_SERVICES),
    ("Sussex Partnership Mental Health Trust", AgencyKind.MENTAL_HEALTH),
]


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    job_title: str
    agency: str
    roles: tuple[Role, ...]
    category4_cleared: bool = False


KENT_USERS = [
    DemoUser("coordinator", "Robin", "Ashdown", "MAPPA Co-ordinator", KENT_AGENCIES[0][0], (Role.COORDINATOR,), True),
    DemoUser("chair", "Morgan", "Fairweather", "Head of Probation Delivery Unit", KENT_AGENCIES[2][0], (Role.CHAIR,)),
    DemoUser("probation", "Sam", "Tillbrook", "Probation Practitioner", KENT_AGENCIES[2][0], (Role.RA_PRACTITIONER,)),
    DemoUser(
        "police",
        "Jordan",
        "Hale",
        "Detective Constable, Offender Management",
        KENT_AGENCIES[1][0],
        (Role.RA_PRACTITIONER,),
    ),
    DemoUser("housing", "Casey", "Penfold", "Housing Options Officer", "Maidstone Council Housing", (Role.DTC_STAFF,)),
    DemoUser("childrens", "Alex", "Marden", "Children's Services Team Manager", KENT_AGENCIES[4][0], (Role.DTC_STAFF,)),
    DemoUser("auditor", "Jamie", "Orlestone", "Information Governance Officer", KENT_AGENCIES[1][0], (Role.AUDITOR,)),
    DemoUser("admin", "Charlie", "Wrotham", "Systems Administrator", KENT_AGENCIES[0][0], (Role.SYSTEM_ADMINISTRATOR,)),
    DemoUser(
        "board", "Avery", "Challock", "Head of Public Protection, SMB member", KENT_AGENCIES[1][0], (Role.SMB_MEMBER,)
    ),
    DemoUser("layadviser", "Rowan", "Elham", "Lay Adviser to the SMB", KENT_AGENCIES[0][0], (Role.LAY_ADVISER,)),
]

SUSSEX_USERS = [
    DemoUser(
        "sussex-coordinator", "Drew", "Pevensey", "MAPPA Co-ordinator", SUSSEX_AGENCIES[0][0], (Role.COORDINATOR,)
    ),
]


def demo_area(name: str, code: str, districts: list[str], population: int) -> Area:
    area, _ = Area.objects.get_or_create(code=code, defaults={"name": name})
    for district in districts:
        District.objects.get_or_create(area=area, name=district)
    this_year = timezone.localdate().year
    for year in range(this_year - 6, this_year + 1):
        AreaPopulation.objects.get_or_create(
            area=area, year=year, defaults={"population_aged_10_plus": population - (this_year - year) * 9_000}
        )
    return area


def demo_agency(area: Area, name: str, kind: AgencyKind, district: District | None = None) -> Agency:
    agency = Agency.objects.filter(area=area, name=name).first()
    if agency is None:
        agency = agency_save(actor=None, agency=Agency(area=area, name=name, kind=kind, district=district))
    return agency


def _user(area: Area, demo: DemoUser) -> User:
    user = User.objects.filter(username=demo.username).first()
    if user is not None:
        return user
    user = User(
        username=demo.username,
        first_name=demo.first_name,
        last_name=demo.last_name,
        email=f"{demo.username}@example.org",
        job_title=demo.job_title,
        agency=Agency.objects.get(area=area, name=demo.agency),
    )
    user.set_password(DEMO_PASSWORD)
    user = user_save(actor=None, user=user, roles=demo.roles, category4_cleared=demo.category4_cleared)
    TOTPDevice.objects.create(user=user, name="Demo authenticator", key=DEMO_TOTP_KEY, confirmed=True)
    return user


@transaction.atomic
def seed_agencies_and_users() -> dict[str, Area]:
    kent = demo_area("Kent and Medway", "KENT", KENT_DISTRICTS, 1_706_000)
    sussex = demo_area("Sussex", "SUSSEX", SUSSEX_DISTRICTS, 1_520_000)
    for name, kind in KENT_AGENCIES:
        demo_agency(kent, name, kind)
    for district in kent.districts.all():
        demo_agency(kent, f"{district.name} Council Housing", AgencyKind.HOUSING, district)
    for name, kind in SUSSEX_AGENCIES:
        demo_agency(sussex, name, kind)
    for demo in KENT_USERS:
        _user(kent, demo)
    for demo in SUSSEX_USERS:
        _user(sussex, demo)
    return {"KENT": kent, "SUSSEX": sussex}


def benchmark_area(code: str, prefix: str, *, districts: int = 13) -> tuple[Area, Agency, Agency]:
    """An area for a benchmark, made once: its districts and a police and a probation agency."""
    area, _ = Area.objects.get_or_create(code=code, defaults={"name": f"{prefix} area"})
    for number in range(1, districts + 1):
        District.objects.get_or_create(area=area, name=f"{prefix} district {number}")
    police, probation = (
        Agency.objects.filter(area=area, name=name).first()
        or agency_save(actor=None, agency=Agency(area=area, name=name, kind=kind))
        for name, kind in [(f"{prefix} Police", AgencyKind.POLICE), (f"{prefix} Probation", AgencyKind.PROBATION)]
    )
    return area, police, probation


def benchmark_user(username: str, agency: Agency, role: Role) -> User:
    """A benchmark user who cannot sign in with a password, made once."""
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, agency=agency)
        user.set_unusable_password()
        user = user_save(actor=None, user=user, roles=[role])
    return user
