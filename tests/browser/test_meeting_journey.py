"""The whole Level 2/3 meeting journey, from scheduling a panel day to answering a request for the
minutes with the executive summary."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from agencies.models import Agency, District, User
from cases.models import SentenceType, Source
from cases.services import nominal_create
from devtools.demo.agencies import DEMO_PASSWORD, seed_agencies_and_users
from meetings.models import Meeting
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _level2(last_name: str) -> None:
    areas = seed_agencies_and_users()
    nominal_create(
        actor=User.objects.get(username="coordinator"),
        area=areas["KENT"],
        details={
            "first_name": "Owen",
            "last_name": last_name,
            "date_of_birth": datetime.date(1979, 10, 2),
            "gender": "male",
            "lead_agency": Agency.objects.get(name="Probation Service, Kent and Medway"),
            "district": District.objects.get(name="Maidstone"),
        },
        conviction={
            "offence_code": "robbery",
            "conviction_date": datetime.date(2019, 5, 1),
            "sentence_type": SentenceType.IMMEDIATE_CUSTODY,
            "custodial_months": 72,
        },
        category=2,
        level=2,
        reason="Accepted at screening",
        start=datetime.date(2025, 1, 6),
        source=Source.SCREENING,
    )


def _date(page: Any, name: str, day: datetime.date) -> None:
    for part, value in enumerate((day.day, day.month, day.year)):
        page.locator(f"input[name={name}_{part}]").fill(str(value))


def _switch(page: Any, username: str) -> None:
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, username, DEMO_PASSWORD)


def test_the_whole_meeting_journey(page: Any) -> None:
    _level2("Brennan")
    _level2("Castleford")
    today = datetime.date.today()

    # The co-ordinator schedules a panel day with two cases.
    sign_in(page, "coordinator", DEMO_PASSWORD)
    page.get_by_role("link", name="Panel days", exact=True).first.click()
    assert_accessible(page)
    page.get_by_role("link", name="Schedule panel days").click()
    page.get_by_label("District").select_option(label="Maidstone")
    _date(page, "first", today)
    page.get_by_label("How many months to schedule").fill("1")
    page.get_by_label("Place", exact=True).fill("Maidstone police station")
    page.get_by_label("Kent Police", exact=True).check()
    page.get_by_label("Maidstone Council Housing").check()
    assert_accessible(page)
    page.get_by_role("button", name="Schedule").click()
    page.get_by_role("link", name=today.strftime("%A %-d %B %Y")).click()
    assert_accessible(page)
    for last_name, time in (("BRENNAN", "10:00"), ("CASTLEFORD", "11:00")):
        page.get_by_role("link", name="Add a case").click()
        page.get_by_label("Nominal").select_option(
            label=next(option for option in page.locator("#id_nominal option").all_inner_texts() if last_name in option)
        )
        page.get_by_label("Review").check()
        page.get_by_label("Chair").select_option(label="Morgan Fairweather, Probation Service, Kent and Medway")
        page.get_by_label("Minute taker").select_option(label="Robin Ashdown, Kent and Medway MAPPA Co-ordination Unit")
        page.get_by_label("Time").fill(time)
        page.get_by_label("Kent and Medway Mental Health Trust").check()
        assert_accessible(page)
        page.get_by_role("button", name="Schedule meeting").click()
        page.get_by_role("link", name="Back").click()
    assert "BRENNAN" in page.locator("#panel-day-agenda").inner_text()
    assert "CASTLEFORD" in page.locator("#panel-day-agenda").inner_text()

    # Attendance for the first case.
    meeting = Meeting.objects.get(nominal__last_name="Brennan")
    page.goto(f"/meetings/{meeting.pk}/")
    assert_accessible(page)
    page.get_by_role("link", name="Record attendance").click()
    attendances = {
        "Kent Police": "Attended",
        "Kent and Medway Mental Health Trust": "Sent apologies",
        "Maidstone Council Housing": "Attended",
    }
    for number in range(3):
        agency = page.locator("h2.govuk-heading-m").nth(number).inner_text()
        page.locator("select[name$='-attendance']").nth(number).select_option(label=attendances[agency])
        if attendances[agency] == "Attended":
            page.locator("input[name$='-attendee_name']").nth(number).fill(f"Officer from {agency}")
            page.locator("textarea[name$='-information_shared']").nth(number).fill(f"{agency}: no change in address.")
    assert_accessible(page)
    page.get_by_role("button", name="Save attendance").click()
    page.get_by_role("button", name="Mark as held").click()
    assert "Held" in page.locator("#meeting-status").inner_text()

    # The chair writes the minutes and the plan, and approves them.
    _switch(page, "chair")
    page.get_by_role("link", name="Meetings", exact=True).first.click()
    assert_accessible(page)
    page.goto(f"/meetings/{meeting.pk}/")
    page.get_by_role("link", name="Write the minutes").click()
    page.get_by_label("The confidentiality statement was read at the start").check()
    page.get_by_label("Children", exact=True).check()
    page.get_by_label("Nature of the risk").fill("Violence towards a former partner.")
    page.get_by_label("Current risk of serious harm").select_option(label="Very high")
    page.get_by_label("Level decision", exact=True).select_option(label="Raise the level")
    page.get_by_label("New level").select_option(label="Level 3: senior multi-agency management")
    page.get_by_label("Rationale for the level decision").fill("Threats escalated; senior resources needed.")
    page.get_by_label("The person will be told they were discussed").uncheck()
    page.get_by_label("Why they will not be told").fill("Telling him would put the victim at immediate risk.")
    _date(page, "next_review", today + datetime.timedelta(weeks=6))
    page.get_by_label("Executive summary").fill("The panel raised management to Level 3 and agreed a plan.")
    assert_accessible(page)
    page.get_by_role("button", name="Save minutes").click()

    page.get_by_role("link", name="Record a decision").click()
    page.get_by_label("Decision", exact=True).fill("Apply for an exclusion zone variation.")
    page.get_by_label("Rationale", exact=True).fill("Victim has moved within the district.")
    page.get_by_label("Dissent").fill("Housing preferred to wait for the tenancy decision.")
    page.get_by_role("button", name="Save").click()

    page.get_by_role("link", name="Record a disclosure decision").click()
    page.get_by_label("Who will be told").fill("Head teacher of the victim's children's school")
    page.get_by_label("What will be disclosed").fill("That he must not approach the school")
    page.get_by_label("Why it is necessary and proportionate").fill("The children are at risk of being taken.")
    page.get_by_label("Who will disclose").fill("Police offender manager")
    page.get_by_label("The recipient has signed an undertaking").check()
    assert_accessible(page)
    page.get_by_role("button", name="Save").click()

    page.get_by_role("link", name="Edit the risk management plan").click()
    for label, text in (
        ("Supervision", "Weekly probation appointments."),
        ("Monitoring and control", "GPS tag and exclusion zone."),
        ("Interventions and treatment", "Referral to a domestic abuse programme."),
        ("Victim safety planning", "IDVA to update safety plan."),
    ):
        page.get_by_label(label, exact=True).fill(text)
    page.get_by_role("button", name="Save plan").click()

    for pillar, agency in (
        ("Supervision", "Probation Service, Kent and Medway"),
        ("Monitoring and control", "Kent Police"),
        ("Interventions and treatment", "Kent and Medway Mental Health Trust"),
        ("Victim safety planning", "Maidstone Council Housing"),
    ):
        page.get_by_role("link", name="Add an action").click()
        page.get_by_label("Pillar").select_option(label=pillar)
        page.get_by_label("Description").fill(f"{pillar}: first step")
        page.get_by_label("Owning agency").select_option(label=agency)
        _date(page, "due", today + datetime.timedelta(days=14))
        page.get_by_role("button", name="Save").click()
    assert page.locator("#actions tbody tr").count() == 4
    assert_accessible(page)

    page.get_by_role("button", name="Send the minutes to the chair").click()
    page.get_by_label("I have read these minutes and approve them").check()
    page.get_by_role("button", name="Approve the minutes").click()
    assert "Minutes approved" in page.locator("#meeting-status").inner_text()

    # The co-ordinator distributes them and answers a solicitor's request with the executive summary.
    _switch(page, "coordinator")
    page.goto(f"/meetings/{meeting.pk}/")
    page.get_by_label("Send the minutes to the agencies that attended and those with actions").check()
    page.get_by_role("button", name="Distribute the minutes").click()
    assert "Minutes distributed" in page.locator("#meeting-status").inner_text()
    page.get_by_role("link", name="Record a request").click()
    page.get_by_label("Their lawyer").check()
    page.get_by_label("Who asked").fill("Harrow & Pike solicitors")
    _date(page, "received_on", today)
    page.get_by_role("button", name="Record request").click()
    page.get_by_role("button", name="Release the executive summary to Harrow & Pike solicitors").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download it for Harrow & Pike solicitors").click()
    assert download.value.suggested_filename.startswith("executive-summary-")
    assert_accessible(page)
    page.goto(f"/nominals/{meeting.nominal.case_reference}/history/")
    assert "Level 3" in page.locator("#level-history").inner_text()

    # Housing attended, so reads the minutes; children's services were not invited.
    _switch(page, "housing")
    page.goto(f"/meetings/{meeting.pk}/")
    assert page.get_by_role("heading", name="Minutes", exact=True).is_visible()
    assert "Maidstone Council Housing: no change in address." in page.content()
    assert "The panel raised management to Level 3" not in page.content()  # the executive summary is separate
    assert_accessible(page)
    _switch(page, "childrens")
    response = page.goto(f"/meetings/{meeting.pk}/")
    assert response is not None
    assert response.status == 404
    assert "BRENNAN" not in page.content()
