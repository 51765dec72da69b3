from django.apps import AppConfig


class StatisticsConfig(AppConfig):
    name = "mappa.statistics"
    label = "statistics"
    verbose_name = "Statistics"

    def ready(self) -> None:
        from mappa.statistics import freshness
        from mappa.statistics.kpis import KPIS

        freshness.connect(KPIS)
