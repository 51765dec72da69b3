from django.apps import AppConfig


class MappaConfig(AppConfig):
    name = "mappa"
    verbose_name = "MAPPA case management"

    def ready(self) -> None:
        from mappa import authorization, second_factor, sessions  # noqa: F401  (signal receivers and checks)
