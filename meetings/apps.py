from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "Level 2/3 meetings"

    def ready(self) -> None:
        from cases.policy import Ground, add_ground
        from mappa.panels import add_panel
        from meetings import audit  # noqa: F401  (registers the models with the audit log)
        from meetings.selectors import chaired_nominal_ids, plan_panel

        add_ground(Ground("Chair of a meeting about this person", chaired_nominal_ids, restricted=True))
        add_panel("cases:nominal-risk", plan_panel)
