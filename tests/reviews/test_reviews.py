"""Serious case reviews: the working-day deadline, the workflow from the charge to completion, the
steps refused out of turn, who may see and do what, and the annual report's rows."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.models import Role
from cases.models import EventKind, Level
from mappa.audit.models import AuditEntry, AuditEvent
from mappa.dates import add_working_days, is_working_day
from notifications.models import Kind, Notification
from reminders.rules import send_reminders
from reporting.annual import annual_report
from reviews import services
from reviews.models import SeriousCaseReview, Stage
from reviews.selectors import board_figures
from tests.conftest import People, client_for
from tests.factories import make_user
from tests.nominal_fixtures import make_nominal

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")
NOW = datetime.datetime(2027, 2, 1, 12, tzinfo=LONDON)


def d(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


@pytest.mark.parametrize(
    ("charged", "due"),
    [
        ("2026-11-02", "2026-11-09"),  # Monday: the next Monday
        ("2026-11-06", "2026-11-13"),  # Friday: the next Friday
        ("2026-12-18", "2026-12-29"),  # Christmas Day and Boxing Day (observed on Monday 28th) skipped
        ("2027-03-25", "2027-04-05"),  # Good Friday and Easter Monday skipped
        ("2026-08-27", "2026-09-04"),  # the late summer bank holiday, Monday 31 August
    ],
)
def test_the_notification_is_due_five_working_days_after_the_charge(charged: str, due: str) -> None:
    assert add_working_days(d(charged), 5) == d(due)


def test_weekends_and_bank_holidays_are_not_working_days() -> None:
    assert not is_working_day(d("2026-12-25"))
    assert not is_working_day(d("2026-12-28"))  # Boxing Day, a Saturday, observed on Monday
    assert not is_working_day(d("2027-01-02"))  # a Saturday
    assert is_working_day(d("2026-12-24"))


@pytest.fixture
def clock():  # type: ignore[no-untyped-def]
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def smb(people: People):  # type: ignore[no-untyped-def]
    return make_user("board-member", agency=people.unit, roles=(Role.SMB_MEMBER,))


def charged(people: People, *, level: int = Level.LEVEL_2, on: str = "2026-12-18", **values: object):  # type: ignore[no-untyped-def]
    nominal = make_nominal(actor=people.coordinator, area=people.area, lead_agency=people.police, level=level)
    review = services.serious_further_offence_record(
        actor=people.coordinator, nominal=nominal, values={"date": d(on), "offence": "Wounding with intent", **values}
    )
    return nominal, review


def test_a_charge_at_level_2_opens_a_review_due_across_christmas(people: People, clock: None) -> None:
    nominal, review = charged(people)

    assert review is not None
    assert review.stage == Stage.TO_NOTIFY
    assert review.notification_due == d("2026-12-29")
    assert review.level == Level.LEVEL_2
    assert nominal.events.get().kind == EventKind.SERIOUS_FURTHER_OFFENCE
    assert Notification.objects.filter(recipient=people.coordinator, kind=Kind.SCR_NOTICE_DUE).exists()


def test_a_charge_at_level_1_opens_a_review_only_where_the_board_asks(people: People, clock: None) -> None:
    nominal, review = charged(people, level=Level.LEVEL_1)
    assert review is None
    assert nominal.events.filter(kind=EventKind.SERIOUS_FURTHER_OFFENCE).count() == 1

    _, asked = charged(people, level=Level.LEVEL_1, open_review=True)
    assert asked is not None
    assert asked.level == Level.LEVEL_1


def test_the_whole_review_from_charge_to_completion(people: People, clock: None, smb) -> None:  # type: ignore[no-untyped-def]
    _, review = charged(people)
    coordinator = people.coordinator
    review = services.review_notify(
        actor=coordinator, review=review, values={"notified_on": d("2026-12-22"), "national_reference": "N-1"}
    )
    assert review.stage == Stage.AWAITING_DECISION
    assert Notification.objects.filter(recipient=smb, kind=Kind.SCR_DECISION_NEEDED).exists()

    review = services.review_decide(
        actor=smb,
        review=review,
        values={
            "decision": "review",
            "decided_on": d("2027-01-05"),
            "decided_by": "SMB chair",
            "decision_rationale": "Missed chances to share information",
        },
    )
    assert review.stage == Stage.IN_REVIEW
    review = services.review_terms_set(
        actor=coordinator,
        review=review,
        values={"terms_of_reference": "Scope: 2025-26", "panel": "Independent chair"},
        expected_version=1,
    )
    milestone = services.milestone_add(
        actor=coordinator, review=review, values={"title": "Panel", "due": d("2027-01-20")}
    )
    services.milestone_done(actor=coordinator, milestone=milestone, done_on=d("2027-01-19"))
    recommendation = services.recommendation_add(actor=coordinator, review=review, text="Share sooner")
    review = services.review_report_received(actor=coordinator, review=review, received_on=d("2027-01-25"))
    assert review.stage == Stage.ACTION_PLAN
    action = services.review_action_add(
        actor=coordinator,
        review=review,
        values={
            "recommendation": recommendation,
            "description": "Training",
            "owning_agency": people.housing,
            "owner": "",
            "due": d("2027-03-01"),
        },
    )

    with pytest.raises(ValidationError, match="Every action of the plan"):
        services.review_complete(actor=coordinator, review=review, completed_on=d("2027-02-01"))

    services.review_action_update(
        actor=coordinator,
        action=action,
        values={"progress": "Done", "completed_on": d("2027-01-30")},
        expected_version=1,
    )
    review = services.review_complete(actor=coordinator, review=review, completed_on=d("2027-02-01"))
    assert review.stage == Stage.COMPLETE

    figures = board_figures(people.area, d("2026-04-01"), d("2027-03-31"), d("2027-02-01"))
    assert (figures.notified, figures.notified_on_time, figures.reviews_opened, figures.completed) == (1, 1, 1, 1)
    assert (figures.actions, figures.actions_done, figures.actions_overdue) == (1, 1, 0)


def test_steps_out_of_turn_and_bad_dates_are_refused_and_change_nothing(people: People, clock: None) -> None:
    _, review = charged(people)
    coordinator = people.coordinator
    decision = {"decision": "review", "decided_on": d("2027-01-05"), "decided_by": "SMB", "decision_rationale": "Why"}

    with pytest.raises(ValidationError, match="cannot record the board's decision"):
        services.review_decide(actor=coordinator, review=review, values=decision)
    with pytest.raises(ValidationError, match="cannot be before the charge"):
        services.review_notify(actor=coordinator, review=review, values={"notified_on": d("2026-12-01")})
    with pytest.raises(ValidationError, match="today or in the past"):
        services.review_notify(actor=coordinator, review=review, values={"notified_on": d("2027-03-01")})
    with pytest.raises(ValidationError, match="cannot add a recommendation"):
        services.recommendation_add(actor=coordinator, review=review, text="Too early")

    review = services.review_notify(actor=coordinator, review=review, values={"notified_on": d("2026-12-22")})
    with pytest.raises(ValidationError, match="rationale"):
        services.review_decide(actor=coordinator, review=review, values={**decision, "decision_rationale": " "})
    with pytest.raises(ValidationError, match="before it was told"):
        services.review_decide(actor=coordinator, review=review, values={**decision, "decided_on": d("2026-12-20")})
    review = services.review_decide(actor=coordinator, review=review, values=decision)
    with pytest.raises(ValidationError, match="terms of reference before its report"):
        services.review_report_received(actor=coordinator, review=review, received_on=d("2027-01-20"))

    stored = SeriousCaseReview.objects.get(pk=review.pk)
    assert (stored.stage, stored.recommendations.count(), stored.report_received_on) == (Stage.IN_REVIEW, 0, None)


def test_no_review_closes_the_case(people: People, clock: None) -> None:
    _, review = charged(people)
    review = services.review_notify(actor=people.coordinator, review=review, values={"notified_on": d("2026-12-21")})
    review = services.review_decide(
        actor=people.coordinator,
        review=review,
        values={
            "decision": "no_review",
            "decided_on": d("2027-01-05"),
            "decided_by": "SMB",
            "decision_rationale": "No",
        },
    )
    assert (review.stage, review.completed_on) == (Stage.NO_REVIEW, d("2027-01-05"))


def test_an_unnotified_charge_past_its_deadline_is_reminded_once(people: People, clock: None) -> None:
    _, review = charged(people)

    send_reminders(today=d("2027-02-01"))
    send_reminders(today=d("2027-02-01"))

    overdue = Notification.objects.filter(kind=Kind.SCR_NOTICE_OVERDUE, recipient=people.coordinator)
    assert overdue.count() == 1
    assert review.reference in overdue.get().title


def test_the_register_and_a_review_are_for_coordinators_and_the_board_and_audited(
    people: People, clock: None, smb
) -> None:  # type: ignore[no-untyped-def]
    nominal, review = charged(people)
    lay = make_user("lay", agency=people.unit, roles=(Role.LAY_ADVISER,))

    page = client_for(people.coordinator).get("/serious-case-reviews/")
    assert page.status_code == 200
    assert nominal.last_name.upper() in page.content.decode()

    board_page = client_for(smb).get(f"/serious-case-reviews/{review.pk}/")
    assert board_page.status_code == 200
    assert nominal.case_reference in board_page.content.decode()
    assert nominal.last_name not in board_page.content.decode()  # the board sees the reference only
    assert client_for(smb).get(f"/serious-case-reviews/{review.pk}/terms/").status_code == 403
    assert client_for(lay).get("/serious-case-reviews/").status_code == 403
    assert client_for(lay).get(f"/serious-case-reviews/{review.pk}/").status_code == 404
    assert client_for(people.other_area_coordinator).get(f"/serious-case-reviews/{review.pk}/").status_code == 404
    assert AuditEntry.objects.filter(actor=smb, event=AuditEvent.VIEW, nominal_id=nominal.pk).exists()
    assert AuditEntry.objects.filter(actor=lay, event=AuditEvent.VIEW_REFUSED).exists()


def test_a_bad_form_gets_its_message_and_changes_nothing(people: People, clock: None) -> None:
    _, review = charged(people)

    response = client_for(people.coordinator).post(
        f"/serious-case-reviews/{review.pk}/notification/",
        {"notified_on_0": "31", "notified_on_1": "2", "notified_on_2": "2026"},
    )

    assert response.status_code == 400
    assert "real date" in response.content.decode()
    assert SeriousCaseReview.objects.get(pk=review.pk).stage == Stage.TO_NOTIFY


def test_edits_made_from_an_out_of_date_page_are_refused_with_the_input_kept(people: People, clock: None, smb) -> None:  # type: ignore[no-untyped-def]
    _, review = charged(people)
    coordinator = people.coordinator
    review = services.review_notify(
        actor=coordinator, review=review, values={"notified_on": d("2026-12-22"), "national_reference": "N-1"}
    )
    decision = {"decision": "review", "decided_on": d("2027-01-05"), "decided_by": "SMB", "decision_rationale": "Why"}
    review = services.review_decide(actor=smb, review=review, values=decision)
    terms = f"/serious-case-reviews/{review.pk}/terms/"
    client = client_for(coordinator)
    assert 'name="version" value="1"' in client.get(terms).content.decode()
    first = {"terms_of_reference": "The last year", "panel": "Independent chair", "version": "1"}
    assert client.post(terms, first).status_code == 302

    stale = client.post(terms, {**first, "terms_of_reference": "The last two years"})

    assert stale.status_code == 409
    assert "The last two years" in stale.content.decode()  # the input is kept
    assert "The last year" in stale.content.decode()  # beside what is saved
    assert SeriousCaseReview.objects.get(pk=review.pk).terms_of_reference == "The last year"

    recommendation = services.recommendation_add(actor=coordinator, review=review, text="Share sooner")
    services.review_report_received(actor=coordinator, review=review, received_on=d("2027-01-25"))
    action = services.review_action_add(
        actor=coordinator,
        review=review,
        values={
            "recommendation": recommendation,
            "description": "Training",
            "owning_agency": people.housing,
            "owner": "",
            "due": d("2027-03-01"),
        },
    )
    path = f"/serious-case-reviews/{review.pk}/actions/{action.pk}/"
    assert client.post(path, {"progress": "Booked for March", "version": "1"}).status_code == 302
    stale = client.post(path, {"progress": "Not booked yet", "version": "1"})

    assert stale.status_code == 409
    assert "Not booked yet" in stale.content.decode()
    assert "Booked for March" in stale.content.decode()
    action.refresh_from_db()
    assert (action.progress, action.version) == ("Booked for March", 2)


def test_the_annual_report_counts_level_2_and_3_charges_and_the_reviews_commenced(people: People, clock: None) -> None:
    _, review = charged(people, level=Level.LEVEL_3, on="2026-06-01")
    charged(people, level=Level.LEVEL_2, on="2026-07-01")
    charged(people, level=Level.LEVEL_1, on="2026-08-01")  # not at Level 2 or 3: not counted
    review = services.review_notify(actor=people.coordinator, review=review, values={"notified_on": d("2026-06-03")})
    services.review_decide(
        actor=people.coordinator,
        review=review,
        values={"decision": "review", "decided_on": d("2026-07-01"), "decided_by": "SMB", "decision_rationale": "Why"},
    )

    table = annual_report(people.area, 2026).table("serious_further_offences")

    assert [row.cells[0] for row in table.rows] == [1, 1, 1]
    assert [row.cells[0] for row in annual_report(people.other_area, 2026).table("serious_further_offences").rows] == [
        0,
        0,
        0,
    ]


def test_the_register_filters_and_runs_constant_queries(people: People, clock: None) -> None:
    client = client_for(people.coordinator)
    charged(people)
    client.get("/serious-case-reviews/")
    with CaptureQueriesContext(connection) as one:
        client.get("/serious-case-reviews/")
    for _ in range(3):
        charged(people)
    with CaptureQueriesContext(connection) as four:
        listed = client.get("/serious-case-reviews/", {"stage": "to_notify", "sort": "due"})

    assert len(four.captured_queries) == len(one.captured_queries)
    assert listed.content.decode().count('<a class="govuk-link" href="/serious-case-reviews/') == 4
    assert "SCR-" not in client.get("/serious-case-reviews/", {"stage": "complete"}).content.decode()


def test_the_report_is_a_document_of_the_review_for_the_board_and_no_one_else(people: People, clock: None, smb) -> None:  # type: ignore[no-untyped-def]
    from documents.models import Document
    from documents.policy import document_access
    from documents.services import document_upload
    from tests.documents.files import pdf

    _, review = charged(people)
    values = {"title": "Review report", "kind": "review_report", "provided_by": people.unit, "dated": d("2027-01-30")}
    report = document_upload(actor=people.coordinator, parent=review, values=values, data=pdf(), filename="r.pdf")
    with pytest.raises(ValidationError, match="cannot add documents"):
        document_upload(actor=smb, parent=review, values=values, data=pdf(), filename="r.pdf")

    assert Document.objects.get().review == review
    assert document_access(smb, report) is not None
    assert document_access(people.housing_officer, report) is None
    assert document_access(people.other_area_coordinator, report) is None
    page = client_for(smb).get(f"/serious-case-reviews/{review.pk}/").content.decode()
    assert "Review report" in page
    assert client_for(smb).get(f"/documents/{report.pk}/").status_code == 200
