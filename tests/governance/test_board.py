"""The board's pages: the meeting quality audit (a sample the service picks, a checklist per meeting,
results per quarter and per agency), and what lay advisers see, which is never a name."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from agencies.models import Role
from cases.models import Nominal
from devtools.signed_in_client import signed_in_client
from governance.forms import ended_quarters
from governance.models import MeetingAudit
from governance.selectors import agency_summaries, quarter_summaries
from governance.services import audit_checklist_record, audit_sample_draw, sample_size
from mappa.authorization import NO_RELATION, rules
from meetings.models import Meeting
from tests.conftest import People, client_for
from tests.factories import make_user
from tests.mappa.authorization_world import build_world

pytestmark = pytest.mark.django_db


def test_the_sample_is_one_in_ten_at_least_five_or_all() -> None:
    assert [sample_size(n) for n in (0, 3, 5, 30, 51, 120)] == [0, 3, 5, 5, 6, 12]


def test_a_quarter_is_sampled_once_audited_and_summarised(people: People, setting) -> None:  # type: ignore[no-untyped-def]
    from tests.meetings.test_services import hold

    meeting = hold(people, setting)
    quarter = ended_quarters(timezone.localdate())[0]  # the last quarter that has ended
    Meeting.objects.filter(pk=meeting.pk).update(
        held_at=timezone.make_aware(datetime.datetime.combine(quarter + datetime.timedelta(days=20), datetime.time(10)))
    )

    drawn = audit_sample_draw(actor=people.coordinator, area=people.area, quarter=quarter)
    assert [audit.meeting for audit in drawn] == [meeting]
    with pytest.raises(ValidationError, match="already been drawn"):
        audit_sample_draw(actor=people.coordinator, area=people.area, quarter=quarter)
    with pytest.raises(ValidationError, match="Answer each question"):
        audit_checklist_record(actor=people.coordinator, audit=drawn[0], values={"right_agencies": "yes"})

    audit_checklist_record(
        actor=people.coordinator,
        audit=drawn[0],
        values={"right_agencies": "yes", "plan_defensible": "partly", "actions_on_time": "no", "notes": "Late"},
    )

    (summary,) = quarter_summaries(people.area)
    assert (summary.sampled, summary.completed) == (1, 1)
    assert summary.answers == {
        "right_agencies": {"yes": 1},
        "plan_defensible": {"partly": 1},
        "actions_on_time": {"no": 1},
    }
    invited = {row.name: row.invited for row in agency_summaries(people.area, quarter)}
    assert invited == {invitation.agency.name: 1 for invitation in meeting.invitations.select_related("agency")}


def test_a_quarter_not_yet_over_or_without_meetings_is_refused(people: People) -> None:
    this_quarter = timezone.localdate()
    with pytest.raises(ValidationError, match="has ended"):
        audit_sample_draw(actor=people.coordinator, area=people.area, quarter=this_quarter)
    with pytest.raises(ValidationError, match="No Level 2 or 3 meetings"):
        audit_sample_draw(actor=people.coordinator, area=people.area, quarter=datetime.date(2019, 1, 1))
    assert not MeetingAudit.objects.exists()


def test_drawing_a_sample_from_the_page_says_what_is_wrong(people: People) -> None:
    response = client_for(people.coordinator).post(reverse("governance:audit-draw"), {"quarter": "1999-01-01"})

    assert response.status_code == 400
    assert "quarter shown in the list" in response.content.decode()


def test_the_board_overview_shows_figures_to_board_members_and_lay_advisers(people: People) -> None:
    for role in (Role.SMB_MEMBER, Role.LAY_ADVISER, Role.COORDINATOR):
        person = make_user(f"board-{role}", agency=people.unit, roles=(role,))
        page = client_for(person).get(reverse("governance:board"))
        assert page.status_code == 200, role
        assert "Serious further offences and reviews" in page.content.decode()
    assert client_for(people.housing_officer).get(reverse("governance:board")).status_code == 403


def test_a_lay_adviser_reaches_no_page_that_shows_a_name() -> None:
    """Every view of the service, in every relation, as a lay adviser: whatever answers, no nominal's
    name is in it."""
    world = build_world()
    adviser = world.people[Role.LAY_ADVISER]
    client = signed_in_client(adviser)
    names = [name for pair in Nominal.objects.values_list("first_name", "last_name") for name in pair if name != "Test"]
    names += [n.upper() for n in names]
    reached = []
    for name, rule in rules().items():
        if rule.public or name.endswith(":*") or rule.method == "POST" or rule.scopes:
            continue  # (the partner API takes no session: tests/partners)
        for relation in rule.relations:
            kwargs = {} if relation == NO_RELATION else world.kwargs(rule.subject, relation, adviser)
            if kwargs is None:
                continue
            response = client.get(reverse(name, kwargs={**(rule.args or {}), **kwargs}))
            body = response.content.decode(errors="replace") if not hasattr(response, "streaming_content") else ""
            shown = [person for person in names if person in body]
            assert shown == [], f"{name} ({relation}) shows {shown}"
            if response.status_code == 200:
                reached.append(name)
    assert {"home", "account", "governance:board"} <= set(reached)
