from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"
    label = "reporting"
    verbose_name = "Statistics"

    def ready(self) -> None:
        from reporting import freshness
        from reporting.kpis import KPIS

        freshness.connect(KPIS)
