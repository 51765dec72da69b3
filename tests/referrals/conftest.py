"""Referrals made through the real services."""

from __future__ import annotations

import datetime
from typing import Any

from agencies.models import User
from cases.models import Location, SentenceType
from referrals.models import Referral
from referrals.services import referral_start, referral_update

TODAY = datetime.date.today()


def answers(**overrides: Any) -> dict[str, dict[str, Any]]:
    steps: dict[str, dict[str, Any]] = {
        "person": {
            "first_name": "Marcus",
            "last_name": "Whitlock",
            "date_of_birth": datetime.date(1986, 4, 12),
            "gender": "male",
            "lead_agency": None,
        },
        "offending": {
            "category": 2,
            "outcome": "conviction",
            "index_offence_code": "wounding-with-intent",
            "index_offence": "Wounding with intent (s.18)",
            "conviction_date": datetime.date(2021, 2, 1),
            "sentence_type": SentenceType.IMMEDIATE_CUSTODY,
            "custodial_months": 48,
            "location": Location.COMMUNITY,
        },
        "risk": {
            "reason": "Threats to a former partner",
            "risk_tool": "oasys_rosh",
            "risk_result": "high",
            "risk_date": TODAY - datetime.timedelta(days=10),
            "victims": "Former partner at a refuge address",
        },
        "management": {"requested_level": 2, "multi_agency_value": "Joint safety planning", "agencies_involved": []},
    }
    for key, value in overrides.items():
        step = next(name for name, values in steps.items() if key in values or key in _STEP_FIELDS[name])
        steps[step][key] = value
    return steps


_STEP_FIELDS = {
    "person": {"pnc_id", "crn", "other_names", "visor_reference", "prison_number"},
    "offending": {"expected_release_date", "notification_start", "hospital_detention"},
    "risk": set(),
    "management": {"level3_justification", "diversity_needs"},
}


def make_referral(referrer: User, *, lead_agency: Any, **overrides: Any) -> Referral:
    referral = referral_start(actor=referrer)
    steps = answers(**overrides)
    steps["person"]["lead_agency"] = lead_agency
    for step, values in steps.items():
        referral_update(actor=referrer, referral=referral, step=step, values=values)
    return referral
