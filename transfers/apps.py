from django.apps import AppConfig


class TransfersConfig(AppConfig):
    name = "transfers"
    verbose_name = "Transfers between areas"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from mappa.panels import add_panel
        from transfers.models import Transfer
        from transfers.selectors import nominal_transfers_panel, received_plan_panel

        auditlog.register(
            Transfer,
            include_fields=["to_area", "moving_on", "reason", "lead_agency", "status", "decision_reason"],
        )
        add_panel("cases:nominal-records", nominal_transfers_panel)
        add_panel("cases:nominal-risk", received_plan_panel)
