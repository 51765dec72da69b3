from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "Nominal records"

    def ready(self) -> None:
        from cases import audit
        from mappa.audit.models import file_by_nominal_area

        file_by_nominal_area(audit.area_of_nominal)
