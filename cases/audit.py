"""Which fields of nominal records the audit log tracks (explicit lists), and which it masks."""

from auditlog.registry import auditlog

from cases.models import (
    Alias,
    CategoryPeriod,
    Conviction,
    Episode,
    Event,
    Exit,
    LevelPeriod,
    Nominal,
    Order,
    RiskAssessment,
)
from cases.services import ALIAS_FIELDS, CONVICTION_FIELDS, DETAIL_FIELDS, EVENT_FIELDS, ORDER_FIELDS, RISK_FIELDS

auditlog.register(
    Nominal,
    include_fields=[*DETAIL_FIELDS, "area", "category", "level", "status"],
    # Restricted details are recorded as changed, never with their content.
    mask_fields=["address", "restricted_notes"],
)
auditlog.register(Alias, include_fields=list(ALIAS_FIELDS))
auditlog.register(Conviction, include_fields=list(CONVICTION_FIELDS))
auditlog.register(Order, include_fields=[*ORDER_FIELDS, "review_from"])
auditlog.register(Event, include_fields=[*EVENT_FIELDS, "from_area"])
auditlog.register(RiskAssessment, include_fields=list(RISK_FIELDS))
auditlog.register(
    CategoryPeriod, include_fields=["episode", "category", "start", "end", "reason", "decided_by", "source"]
)
auditlog.register(LevelPeriod, include_fields=["episode", "level", "start", "end", "reason", "decided_by", "source"])
auditlog.register(Episode, include_fields=["start", "end", "reason"])
auditlog.register(Exit, include_fields=["episode", "reason", "date", "decided_by", "rationale", "review_retention_on"])


def area_of_nominal(nominal_id: int) -> int | None:
    """The area a nominal's audit entries are filed under: the nominal's own."""
    area: int | None = Nominal.objects.filter(pk=nominal_id).values_list("area_id", flat=True).first()
    return area
