"""One object of each kind in each relation to the people of the authorization table.

The people all work for Kent Police, one per role; the co-ordinator among them is cleared for
Category 4 in Kent. Everything else is made by the services, acting as the Kent and Sussex units'
own co-ordinators, so that each object stands in a known relation to Kent Police (see
mappa/authorization.toml for what each relation means).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from agencies.models import Agency, AgencyKind, Area, District, Role, User
from cases.models import Category, Level, Nominal, Stream
from cases.services import nominal_share
from documents.models import Document
from documents.services import document_upload
from governance.models import MeetingAudit
from meetings.models import Action, Meeting, MeetingKind, MinutesRequest, PanelDay
from meetings.services import (
    action_add,
    meeting_approve,
    meeting_distribute,
    meeting_mark_held,
    meeting_minutes_update,
    meeting_record_attendance,
    meeting_schedule,
    meeting_submit,
    minutes_request_record,
    minutes_request_release,
    panel_days_schedule,
)
from notifications.models import EmailState, Kind, Notification
from referrals.models import PanelItem, Referral
from referrals.services import panel_agenda_add, panel_create, referral_submit
from reporting.models import ReportRun
from reporting.tasks import generate_annual_report
from reviews.services import (
    milestone_add,
    recommendation_add,
    review_action_add,
    review_decide,
    review_notify,
    review_report_received,
    review_terms_set,
    serious_further_offence_record,
)
from tests.documents.files import pdf
from tests.factories import AgencyFactory, AreaFactory, DistrictFactory, make_user
from tests.nominal_fixtures import make_nominal
from tests.referrals.conftest import make_referral
from transfers.models import Transfer
from transfers.services import transfer_request

DAY = timezone.localdate() - datetime.timedelta(days=2)


@dataclass
class Side:
    """One area's unit and the people who build its objects."""

    area: Area
    district: District
    unit: Agency
    other: Agency  # an agency of the area that is not Kent Police
    coordinator: User
    chair: User
    referrer: User  # staff of `other`, who refer to the unit


@dataclass
class World:
    police: Agency
    people: dict[str, User]  # role -> the Kent Police member holding it
    kent: Side
    sussex: Side
    objects: dict[str, dict[str, Any]] = field(default_factory=dict)  # subject -> relation -> object

    def kwargs(self, subject: str, relation: str, person: User) -> dict[str, Any] | None:
        """The URL arguments naming the subject's object in that relation, or None if there is none."""
        if subject == "notification" and relation == "own_area":
            return {"pk": self._notification_for(person).pk}
        thing = self.objects[subject].get(relation)
        return None if thing is None else URL_ARGUMENTS[subject](thing)

    def _notification_for(self, person: User) -> Notification:
        notification, _ = Notification.objects.get_or_create(
            recipient=person, dedupe_key="mine", defaults={"kind": Kind.ACTION_OVERDUE, "title": "Yours", "url": "/"}
        )
        return notification


URL_ARGUMENTS: dict[str, Callable[[Any], dict[str, Any]]] = {
    "nominal": lambda nominal: {"reference": nominal.case_reference},
    "nominal_share": lambda pair: {"reference": pair[0].case_reference, "agency_id": pair[1].pk},
    "referral": lambda referral: {"reference": referral.reference},
    "draft_referral": lambda referral: {"reference": referral.reference},
    "screening_panel": lambda panel: {"pk": panel.pk},
    "panel_item": lambda item: {"pk": item.panel_id, "item_pk": item.pk},
    "panel_day": lambda day: {"pk": day.pk},
    "meeting": lambda meeting: {"pk": meeting.pk},
    "open_meeting": lambda meeting: {"pk": meeting.pk},
    "minutes_request": lambda request: {"pk": request.meeting_id, "request_pk": request.pk},
    "action": lambda action: {"pk": action.meeting_id, "action_pk": action.pk},
    "agency_action": lambda action: {"pk": action.pk},
    "notification": lambda notification: {"pk": notification.pk},
    "failed_email": lambda notification: {"pk": notification.pk},
    "agency": lambda agency: {"pk": agency.pk},
    "user": lambda user: {"username": user.username},
    "report_run": lambda run: {"pk": run.pk},
    "document": lambda document: {"pk": document.pk},
    "transfer": lambda transfer: {"pk": transfer.pk},
    "review": lambda review: {"pk": review.pk},
    "review_milestone": lambda milestone: {"pk": milestone.review_id, "milestone_pk": milestone.pk},
    "review_action": lambda action: {"pk": action.review_id, "action_pk": action.pk},
    "meeting_audit": lambda audit: {"pk": audit.pk},
}


def _side(name: str, code: str, district: str, people_prefix: str) -> Side:
    area = AreaFactory(name=name, code=code)
    district_row = DistrictFactory(area=area, name=district)
    unit = AgencyFactory(area=area, name=f"{name} Unit", kind=AgencyKind.OTHER)
    other = AgencyFactory(area=area, name=f"{district} Housing", kind=AgencyKind.HOUSING, district=district_row)
    return Side(
        area=area,
        district=district_row,
        unit=unit,
        other=other,
        coordinator=make_user(
            f"{people_prefix}-coordinator", agency=unit, roles=(Role.COORDINATOR,), category4_cleared=True
        ),
        chair=make_user(f"{people_prefix}-chair", agency=unit, roles=(Role.CHAIR,)),
        referrer=make_user(f"{people_prefix}-referrer", agency=other, roles=(Role.DTC_STAFF,)),
    )


def _nominal(side: Side, lead: Agency, **details: Any) -> Nominal:
    return make_nominal(actor=side.coordinator, area=side.area, lead_agency=lead, **details)


def _held_meeting(side: Side, panel_day: PanelDay, nominal: Nominal, agency: Agency, hour: int) -> Meeting:
    """A review on the panel day with `agency` invited and attending, held, its minutes open."""
    actor = side.coordinator
    meeting = meeting_schedule(
        actor=actor,
        nominal=nominal,
        kind=MeetingKind.REVIEW,
        chair=side.chair,
        minute_taker=actor,
        starts_at=timezone.make_aware(datetime.datetime.combine(DAY, datetime.time(hour))),
        panel_day=panel_day,
        invite=[agency],
    )
    rows = {
        invitation: {"attendance": "attended", "attendee_name": "Someone", "attendee_role": "Officer"}
        for invitation in meeting.invitations.all()
    }
    meeting_record_attendance(actor=actor, meeting=meeting, rows=rows)
    return meeting_mark_held(actor=actor, meeting=meeting)


def _distributed_meeting(side: Side, panel_day: PanelDay, nominal: Nominal, agency: Agency, hour: int) -> Meeting:
    """A held meeting, minuted and distributed, with an action for `agency` and one for the area's
    other agency, and a released request for the minutes."""
    actor = side.coordinator
    meeting = _held_meeting(side, panel_day, nominal, agency, hour)
    meeting = meeting_minutes_update(
        actor=actor,
        meeting=meeting,
        values={
            "confidentiality_statement_read": True,
            "rosh_level": "high",
            "level_decision": "continue",
            "level_rationale": "Plan is working",
            "next_review": DAY + datetime.timedelta(weeks=16),
            "executive_summary": "Summary",
        },
        expected_version=meeting.minutes_version,
    )
    for owner in {agency, side.other}:
        action_add(
            actor=actor,
            meeting=meeting,
            values={
                "pillar": "supervision",
                "description": f"Visit by {owner}",
                "owning_agency": owner,
                "owner": None,
                "due": DAY + datetime.timedelta(days=7),
            },
        )
    meeting_submit(actor=actor, meeting=meeting)
    meeting_approve(actor=side.chair, meeting=Meeting.objects.get(pk=meeting.pk))
    meeting = meeting_distribute(actor=actor, meeting=Meeting.objects.get(pk=meeting.pk))
    request = minutes_request_record(
        actor=actor,
        meeting=meeting,
        values={"requester_kind": "lawyer", "requester": "Solicitors", "received_on": DAY},
    )
    minutes_request_release(actor=actor, request=request)
    return meeting


def _panel_day(side: Side) -> PanelDay:
    (day,) = panel_days_schedule(
        actor=side.coordinator,
        district=side.district,
        first=DAY,
        months=1,
        place="Police station",
        video_link="",
        standing_agencies=[],
    )
    return day


def build_world() -> World:
    kent = _side("Kent and Medway", "KENT", "Maidstone", "kent")
    sussex = _side("Sussex", "SUSSEX", "Brighton", "sussex")
    police = AgencyFactory(area=kent.area, name="Kent Police", kind=AgencyKind.POLICE)
    people = {
        role: make_user(f"as-{role}", agency=police, roles=(Role(role),), category4_cleared=role == Role.COORDINATOR)
        for role in Role.values
    }
    world = World(police=police, people=people, kent=kent, sussex=sussex)
    practitioner = people[Role.RA_PRACTITIONER]

    shared = _nominal(kent, kent.unit, last_name="Sharland")
    nominal_share(actor=kent.coordinator, nominal=shared, agency=police, include_restricted=False)
    nominals = {
        "own_area": _nominal(kent, police, last_name="Ownsworth"),
        "shared": shared,
        "not_shared": _nominal(kent, kent.unit, last_name="Unshared"),
        "other_area": _nominal(sussex, sussex.unit, last_name="Elsewhere"),
        "category_4": _nominal(
            kent, police, category=Category.TERRORISM, stream=Stream.COUNTER_TERRORISM, last_name="Restrictedcase"
        ),
    }
    world.objects["nominal"] = nominals
    world.objects["nominal_share"] = {relation: (nominal, kent.other) for relation, nominal in nominals.items()}
    world.objects["nominal_share"]["shared"] = (shared, police)
    world.objects["nominal_share"]["other_area"] = (nominals["other_area"], sussex.other)

    drafts = {
        "own_area": make_referral(practitioner, lead_agency=police, last_name="Draftown"),
        "not_shared": make_referral(kent.referrer, lead_agency=kent.other, last_name="Draftother"),
        "other_area": make_referral(sussex.referrer, lead_agency=sussex.other, last_name="Draftsussex"),
        "category_4": make_referral(practitioner, lead_agency=police, last_name="Draftfour", category=4),
    }
    world.objects["draft_referral"] = dict(drafts)
    submitted = {
        relation: make_referral(draft.referrer, lead_agency=draft.lead_agency, last_name=f"{draft.last_name}x")
        for relation, draft in drafts.items()
    }
    submitted["category_4"] = make_referral(practitioner, lead_agency=police, last_name="Submittedfour", category=4)
    world.objects["referral"] = {
        relation: referral_submit(actor=referral.referrer, referral=referral)
        for relation, referral in submitted.items()
    }

    panels = {"own_area": panel_create(actor=kent.coordinator, area=kent.area, date=DAY)}
    panels["other_area"] = panel_create(actor=sussex.coordinator, area=sussex.area, date=DAY)
    world.objects["screening_panel"] = dict(panels)
    referrals: dict[str, Referral] = world.objects["referral"]
    items: dict[str, PanelItem] = {
        relation: panel_agenda_add(
            actor=sussex.coordinator if relation == "other_area" else kent.coordinator,
            panel=panels["other_area" if relation == "other_area" else "own_area"],
            referral=referrals[relation],
        )
        for relation in ("own_area", "not_shared", "other_area", "category_4")
    }
    world.objects["panel_item"] = dict(items)

    kent_day, sussex_day = _panel_day(kent), _panel_day(sussex)
    world.objects["panel_day"] = {"own_area": kent_day, "other_area": sussex_day}
    at_level_2 = {"level": Level.LEVEL_2}
    meetings = {
        "shared": _distributed_meeting(kent, kent_day, _nominal(kent, kent.unit, **at_level_2), police, 9),
        "not_shared": _distributed_meeting(kent, kent_day, _nominal(kent, kent.unit, **at_level_2), kent.other, 11),
        "other_area": _distributed_meeting(
            sussex, sussex_day, _nominal(sussex, sussex.unit, **at_level_2), sussex.other, 9
        ),
        "category_4": _distributed_meeting(
            kent,
            kent_day,
            _nominal(kent, police, category=Category.TERRORISM, stream=Stream.COUNTER_TERRORISM, **at_level_2),
            police,
            13,
        ),
    }
    world.objects["meeting"] = dict(meetings)
    world.objects["open_meeting"] = {
        "shared": _held_meeting(kent, kent_day, _nominal(kent, kent.unit, **at_level_2), police, 10),
        "not_shared": _held_meeting(kent, kent_day, _nominal(kent, kent.unit, **at_level_2), kent.other, 12),
        "other_area": _held_meeting(sussex, sussex_day, _nominal(sussex, sussex.unit, **at_level_2), sussex.other, 10),
        "category_4": _held_meeting(
            kent,
            kent_day,
            _nominal(kent, police, category=Category.TERRORISM, stream=Stream.COUNTER_TERRORISM, **at_level_2),
            police,
            14,
        ),
    }
    world.objects["minutes_request"] = {
        relation: MinutesRequest.objects.get(meeting=meeting) for relation, meeting in meetings.items()
    }
    actions = Action.objects.select_related("meeting")
    world.objects["action"] = {
        "own_area": actions.get(meeting=meetings["shared"], owning_agency=police),
        "shared": actions.get(meeting=meetings["shared"], owning_agency=kent.other),
        "not_shared": actions.get(meeting=meetings["not_shared"], owning_agency=kent.other),
        "other_area": actions.get(meeting=meetings["other_area"], owning_agency=sussex.other),
        "category_4": actions.get(meeting=meetings["category_4"], owning_agency=police),
    }
    world.objects["agency_action"] = dict(world.objects["action"])

    def failed_email(to: User) -> Notification:
        return Notification.objects.create(
            recipient=to,
            kind=Kind.ACTION_OVERDUE,
            title="An action is overdue",
            url="/meetings/work/",
            dedupe_key="failed",
            email_state=EmailState.FAILED,
        )

    world.objects["failed_email"] = {
        "own_area": failed_email(kent.referrer),
        "other_area": failed_email(sussex.referrer),
    }
    world.objects["notification"] = {  # "own_area" is made for each person as they are tried
        "not_shared": world.objects["failed_email"]["own_area"],
        "other_area": world.objects["failed_email"]["other_area"],
    }
    world.objects["agency"] = {"own_area": kent.other, "other_area": sussex.other}
    world.objects["user"] = {"own_area": kent.referrer, "other_area": sussex.referrer}
    runs = {
        "own_area": ReportRun.objects.create(area=kent.area, year=2024, requested_by=kent.coordinator),
        "other_area": ReportRun.objects.create(area=sussex.area, year=2024, requested_by=sussex.coordinator),
    }
    for run in runs.values():
        generate_annual_report(run.pk)
    world.objects["report_run"] = dict(runs)
    world.objects["document"] = {
        relation: _document(sussex if relation == "other_area" else kent, nominal)
        for relation, nominal in nominals.items()
    }
    _transfers(world)
    _reviews(world)
    world.objects["meeting_audit"] = {
        relation: MeetingAudit.objects.create(
            area=meeting.area, quarter=DAY.replace(day=1), meeting=meeting, drawn_by=meeting.minute_taker
        )
        for relation, meeting in (("own_area", meetings["shared"]), ("other_area", meetings["other_area"]))
    }
    return world


def _transfers(world: World) -> None:
    """A transfer asked for from Kent, one asked of Kent by Sussex, one between Sussex and a third area,
    and a Category 4 case asked for from Kent."""
    kent, sussex = world.kent, world.sussex
    surrey = AreaFactory(name="Surrey", code="SURREY")

    def asked(side: Side, to: Area, **details: Any) -> Transfer:
        nominal = _nominal(side, side.unit, **details)
        return transfer_request(
            actor=side.coordinator,
            nominal=nominal,
            values={"to_area": to, "moving_on": DAY, "reason": "Moving for work", "lead_agency": None},
        )

    world.objects["transfer"] = {
        "own_area": asked(kent, sussex.area, last_name="Leaving"),
        "incoming": asked(sussex, kent.area, last_name="Arriving"),
        "other_area": asked(sussex, surrey, last_name="Passing"),
        "category_4": asked(kent, sussex.area, category=Category.TERRORISM, stream=Stream.COUNTER_TERRORISM),
    }


def _reviews(world: World) -> None:
    """A serious case review at its action plan in each relation, with a milestone and an action."""
    reviews = {}
    for relation, side, details in (
        ("own_area", world.kent, {}),
        ("other_area", world.sussex, {}),
        ("category_4", world.kent, {"category": Category.TERRORISM, "stream": Stream.COUNTER_TERRORISM}),
    ):
        nominal = _nominal(side, side.unit, level=Level.LEVEL_2, **details)
        actor = side.coordinator
        review = serious_further_offence_record(
            actor=actor, nominal=nominal, values={"date": DAY, "offence": "Wounding with intent"}
        )
        assert review is not None
        review = review_notify(actor=actor, review=review, values={"notified_on": DAY})
        review = review_decide(
            actor=actor,
            review=review,
            values={
                "decision": "review",
                "decided_on": DAY,
                "decided_by": "SMB chair",
                "decision_rationale": "To learn",
            },
        )
        review = review_terms_set(
            actor=actor, review=review, values={"terms_of_reference": "Scope", "panel": "Chair"}, expected_version=1
        )
        milestone_add(actor=actor, review=review, values={"title": "Panel meets", "due": DAY})
        recommendation = recommendation_add(actor=actor, review=review, text="Share information sooner")
        review = review_report_received(actor=actor, review=review, received_on=DAY)
        review_action_add(
            actor=actor,
            review=review,
            values={
                "recommendation": recommendation,
                "description": "Train staff",
                "owning_agency": side.other,
                "owner": "",
                "due": DAY,
            },
        )
        reviews[relation] = review
    world.objects["review"] = reviews
    world.objects["review_milestone"] = {relation: review.milestones.get() for relation, review in reviews.items()}
    world.objects["review_action"] = {relation: review.actions.get() for relation, review in reviews.items()}


def _document(side: Side, nominal: Nominal) -> Document:
    return document_upload(
        actor=side.coordinator,
        parent=nominal,
        values={
            "title": "Risk assessment",
            "kind": "risk_assessment",
            "provided_by": side.unit,
            "dated": DAY,
            "marking": "official_sensitive",
            "audience": "everyone",
        },
        data=pdf(),
        filename="assessment.pdf",
    )
