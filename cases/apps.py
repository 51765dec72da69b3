from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "Nominal records"

    def ready(self) -> None:
        from cases import audit  # noqa: F401  (registers the models with the audit log)
