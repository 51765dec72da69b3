from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = "Partner systems"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from partners.models import PartnerSystem

        # The token's hash is never in the log: only who registered, scoped, revoked or renewed what.
        auditlog.register(
            PartnerSystem,
            include_fields=[
                "name",
                "agency",
                "scopes",
                "requests_per_minute",
                "expires_at",
                "revoked_at",
                "token_prefix",
            ],
        )
