from django.apps import AppConfig


class StatisticsConfig(AppConfig):
    name = "mappa.statistics"
    label = "statistics"
    verbose_name = "Statistics"
