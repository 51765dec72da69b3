from __future__ import annotations

import base64
import datetime
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, F, Q
from django.test import Client, override_settings
from django.utils import timezone
from django_otp.oath import TOTP

from agencies.models import Agency, AgencyKind, Area, Role, User
from cases.models import Event, EventKind, Nominal, Order, OrderKind
from cases.selectors import eligibility_ended_on
from devtools.demo.agencies import DEMO_PASSWORD
from documents.models import Audience, Document, DocumentKind
from documents.verify import verify_documents
from governance.models import MeetingAudit
from meetings.models import Action, ActionStatus, Meeting, MeetingStatus
from notifications.models import Notification
from referrals.models import Referral, ReferralStatus, ScreeningPanel
from reporting.annual import annual_report
from reporting.forms import latest_reporting_year
from reviews.models import SeriousCaseReview, Stage
from transfers.models import Transfer, TransferStatus

pytestmark = pytest.mark.django_db

DEMO_ROLES = {
    "coordinator": Role.COORDINATOR,
    "chair": Role.CHAIR,
    "probation": Role.RA_PRACTITIONER,
    "police": Role.RA_PRACTITIONER,
    "housing": Role.DTC_STAFF,
    "childrens": Role.DTC_STAFF,
    "auditor": Role.AUDITOR,
    "admin": Role.SYSTEM_ADMINISTRATOR,
    "board": Role.SMB_MEMBER,
    "layadviser": Role.LAY_ADVISER,
}


@pytest.fixture(scope="module")
def _demo_documents(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("demo") / "documents")


@pytest.fixture(autouse=True)
def _documents_in_a_folder_of_the_test(settings: Any, _demo_documents: str) -> None:
    # The demo's documents are stored once, for every test of the module.
    settings.MEDIA_ROOT = _demo_documents


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any, _demo_documents: str) -> Iterator[None]:
    """The demo, made once for the module inside a transaction rolled back at the end: making it
    takes a minute and a half."""
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=_demo_documents, PASSWORD_HASHERS=fast),
        transaction.atomic(),
    ):
        call_command("seed_demo")
        yield
        transaction.set_rollback(True)


def test_seed_demo_creates_a_kent_like_area_a_caseload_and_one_user_per_role_and_is_idempotent(demo: None) -> None:
    kent = Area.objects.get(code="KENT")
    assert kent.districts.count() == 13
    assert Area.objects.count() == 2
    kinds = set(Agency.objects.filter(area=kent).values_list("kind", flat=True))
    assert kinds == {kind.value for kind in AgencyKind}
    assert Agency.objects.filter(area=kent, kind=AgencyKind.HOUSING).count() == 13
    for username, role in DEMO_ROLES.items():
        user = User.objects.get(username=username)
        assert role in user.roles, username
        assert user.check_password(DEMO_PASSWORD)
    housing = User.objects.get(username="housing")
    assert housing.agency.kind == AgencyKind.HOUSING
    assert housing.agency.district is not None
    # and the people accepted at screening; a few have moved on to Sussex
    assert Nominal.objects.filter(case_reference__startswith="KENT-").count() >= 3000
    assert Nominal.objects.filter(area=kent, category=4).exists()
    assert set(Referral.objects.values_list("status", flat=True)) == {status.value for status in ReferralStatus}
    assert ScreeningPanel.objects.filter(area=kent, status="closed").count() >= 11
    assert set(Action.objects.filter(owning_agency=housing.agency).values_list("status", flat=True)) == {
        status.value for status in ActionStatus
    }
    assert Notification.objects.filter(recipient=housing, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=housing, read_at__isnull=False).exists()
    counts = [model.objects.count() for model in (Area, Agency, User, Nominal, Referral, Meeting, Notification)]

    call_command("seed_demo")

    assert [model.objects.count() for model in (Area, Agency, User, Nominal, Referral, Meeting, Notification)] == counts
    _sign_in_as_the_readme_says("coordinator")


def _sign_in_as_the_readme_says(username: str) -> None:
    """The password and the authenticator key the README gives, through the sign-in pages."""
    client = Client()
    assert client.post("/sign-in/", {"username": username, "password": DEMO_PASSWORD}).status_code == 302
    assert client.get("/nominals/")["Location"].startswith("/sign-in/code/")
    key = base64.b32decode("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
    response = client.post("/sign-in/code/", {"code": f"{TOTP(key).token():06d}"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert client.get(response["Location"]).status_code == 200
    assert client.get("/nominals/").status_code == 200


@pytest.mark.dated
def test_seed_demo_has_work_in_every_state_and_figures_in_every_report_row_whatever_the_day(demo: None) -> None:
    """The demo is dated from the day it is made: run on any day (see TEST_TODAY), it still has work
    in every state, not a year that has drifted into the past, and every row of the last complete
    year's annual report has a figure."""
    today = timezone.localdate()
    now = timezone.now()
    kent = Area.objects.get(code="KENT")
    housing = User.objects.get(username="housing").agency

    actions = Action.objects.filter(nominal__area=kent)
    assert set(actions.filter(owning_agency=housing).values_list("status", flat=True)) == set(ActionStatus)
    open_states = [ActionStatus.OPEN, ActionStatus.IN_PROGRESS]
    assert actions.filter(status__in=open_states, due__lt=today).exists(), "no overdue action"
    assert actions.filter(status__in=open_states, due__gte=today).exists(), "no action due in the days ahead"
    assert actions.filter(status=ActionStatus.COMPLETE, completed_on__lte=today).exists()

    meetings = Meeting.objects.filter(area=kent)
    assert {MeetingStatus.SCHEDULED, MeetingStatus.HELD, MeetingStatus.SUBMITTED, MeetingStatus.DISTRIBUTED} <= set(
        meetings.values_list("status", flat=True)
    )
    assert meetings.filter(status=MeetingStatus.SCHEDULED, starts_at__gt=now).exists(), "no meeting to come"
    assert not meetings.filter(status=MeetingStatus.SCHEDULED, starts_at__lt=now - datetime.timedelta(days=1)).exists()
    assert meetings.filter(status=MeetingStatus.DISTRIBUTED, starts_at__gte=now - datetime.timedelta(days=45)).exists()

    managed = Nominal.objects.filter(area=kent, status="active", level__in=[2, 3])
    assert managed.filter(next_review_due__lt=today).exists(), "no review overdue"
    assert managed.filter(
        next_review_due__gte=today, next_review_due__lte=today + datetime.timedelta(days=28)
    ).exists(), "no review due in the next four weeks"

    referrals = Referral.objects.filter(area=kent)
    assert set(referrals.values_list("status", flat=True)) == set(ReferralStatus)
    assert referrals.filter(status=ReferralStatus.SUBMITTED, submitted_at__gte=now - datetime.timedelta(days=14))
    assert ScreeningPanel.objects.filter(area=kent, date__gte=today).exists(), "no screening panel to come"
    assert ScreeningPanel.objects.filter(area=kent, date__lt=today, status="closed").exists()

    year = latest_reporting_year(today)
    for report in (annual_report(kent, year), annual_report(kent, year - 1)):
        assert int(report.table("eligible").cell("Total", 3)) > 0, report.title
        assert int(report.table("managed").cell("Total", 3)) > 0, report.title
    last_year = annual_report(kent, year - 1)
    for table in last_year.tables:
        for row in table.rows:
            assert row.cells[-1] not in (0, "-"), f"{last_year.title}: {table.title}: {row.label}"

    # The rules' edges, there to be seen: moves between the two areas (counted in both), people whose
    # notification has ended awaiting their exit, re-entries, SHPOs made at sentencing.
    sussex = Area.objects.get(code="SUSSEX")
    transfers = Event.objects.filter(kind=EventKind.TRANSFER)
    assert transfers.filter(from_area=kent, to_area=sussex).exists()
    assert transfers.filter(from_area=sussex, to_area=kent).exists()
    assert int(annual_report(sussex, year - 1).table("managed").cell("Total", 3)) > 0
    assert Nominal.objects.filter(eligibility_ended_on(today), area=kent, category=1).exists()
    assert Nominal.objects.annotate(episodes_held=Count("episodes")).filter(episodes_held__gt=1, status="active")
    assert Order.objects.filter(kind=OrderKind.SHPO, start=F("conviction__conviction_date")).exists()

    # Documents on cases, referrals and meetings ahead, one report in lieu sent by housing for a
    # meeting it is invited to, one withdrawn, and every file as it was stored.
    documents = Document.objects.filter(Q(nominal__area=kent) | Q(referral__area=kent) | Q(meeting__area=kent))
    assert {DocumentKind.RISK_ASSESSMENT, DocumentKind.LICENCE, DocumentKind.ORDER, DocumentKind.VICTIM_LIAISON} <= set(
        documents.filter(nominal__isnull=False).values_list("kind", flat=True)
    )
    assert documents.filter(referral__status=ReferralStatus.SUBMITTED).exists()
    assert documents.filter(kind=DocumentKind.MEETING_PAPERS, meeting__starts_at__gt=now).exists()
    sent = documents.get(kind=DocumentKind.REPORT_IN_LIEU)
    assert sent.provided_by == housing
    assert sent.meeting.invitations.filter(agency=housing).exists()
    assert sent.meeting.starts_at > now
    assert documents.filter(audience=Audience.RESPONSIBLE_AUTHORITY).exists()
    assert documents.filter(withdrawn_at__isnull=False).count() == 1
    for document in documents:
        with document.file.open("rb") as stored:
            assert stored.read(5) == b"%PDF-", document.title
    assert verify_documents() == (documents.count(), [])

    # Serious case reviews (one under way, one completed, one the board decided against), a transfer
    # in each direction, and the last quarter's meeting audits.
    stages = set(SeriousCaseReview.objects.filter(area=kent).values_list("stage", flat=True))
    assert {Stage.IN_REVIEW, Stage.COMPLETE, Stage.NO_REVIEW} <= stages
    assert Transfer.objects.filter(from_area=sussex, to_area=kent, status=TransferStatus.ACCEPTED).exists()
    assert Transfer.objects.filter(from_area=kent, to_area=sussex, status=TransferStatus.REQUESTED).exists()
    audits = MeetingAudit.objects.filter(area=kent)
    assert audits.filter(completed_at__isnull=False).exists()
    assert audits.filter(completed_at__isnull=True).exists()
