from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "mappa.audit"
    label = "audit"
    verbose_name = "Audit log"

    def ready(self) -> None:
        from mappa.audit import receivers  # noqa: F401  (connects the sign-in receivers)
