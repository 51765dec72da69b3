from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = "Strategic Management Board"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from governance.models import MeetingAudit

        auditlog.register(
            MeetingAudit,
            include_fields=["right_agencies", "plan_defensible", "actions_on_time", "notes", "completed_at"],
        )
