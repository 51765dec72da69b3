"""Which fields of a serious case review the audit log tracks."""

from auditlog.registry import auditlog

from reviews.models import Milestone, Recommendation, ReviewAction, SeriousCaseReview

auditlog.register(
    SeriousCaseReview,
    include_fields=[
        "stage",
        "offence",
        "notified_on",
        "national_reference",
        "decision",
        "decided_on",
        "decided_by",
        "decision_rationale",
        "terms_of_reference",
        "panel",
        "report_received_on",
        "completed_on",
    ],
)
auditlog.register(Milestone, include_fields=["title", "due", "done_on"])
auditlog.register(Recommendation, include_fields=["number", "text"])
auditlog.register(
    ReviewAction, include_fields=["description", "owning_agency", "owner", "due", "completed_on", "progress"]
)
