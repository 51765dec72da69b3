"""Which fields of meetings, their minutes, plans and actions the audit log tracks (explicit lists).
Entries about a meeting's records are filed under its nominal (see `get_additional_data`)."""

from auditlog.registry import auditlog

from meetings.models import (
    Action,
    ActionUpdate,
    Decision,
    DisclosureDecision,
    Invitation,
    Meeting,
    MinutesRequest,
    PanelDay,
    RiskManagementPlan,
)
from meetings.services import DISCLOSURE_FIELDS, MINUTES_FIELDS, RMP_FIELDS

auditlog.register(PanelDay, include_fields=["district", "date", "place", "video_link"])
auditlog.register(
    Meeting,
    include_fields=[
        "panel_day",
        "nominal",
        "kind",
        "level",
        "chair",
        "minute_taker",
        "starts_at",
        "place",
        "video_link",
        "status",
        *MINUTES_FIELDS,
    ],
)
auditlog.register(
    Invitation,
    include_fields=["agency", "standing", "attendance", "attendee_name", "attendee_role", "information_shared"],
)
auditlog.register(Decision, include_fields=["decision", "rationale", "dissent"])
auditlog.register(DisclosureDecision, include_fields=list(DISCLOSURE_FIELDS))
auditlog.register(RiskManagementPlan, include_fields=list(RMP_FIELDS))
auditlog.register(
    Action, include_fields=["pillar", "description", "owning_agency", "owner", "due", "status", "completed_on"]
)
auditlog.register(ActionUpdate, include_fields=["action", "status", "note"])
auditlog.register(MinutesRequest, include_fields=["requester_kind", "requester", "received_on", "released_on"])
