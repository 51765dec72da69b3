from django.apps import AppConfig


class AgenciesConfig(AppConfig):
    name = "agencies"
    verbose_name = "Areas, agencies and people"

    def ready(self) -> None:
        from agencies import audit  # noqa: F401  (registers the models with the audit log)
