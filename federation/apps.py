from django.apps import AppConfig


class FederationConfig(AppConfig):
    name = "federation"
    verbose_name = "Sign-in through agencies' identity providers"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from federation.models import IdentityProvider, LinkedIdentity

        auditlog.register(
            IdentityProvider,
            include_fields=[
                "agency",
                "issuer",
                "client_id",
                "client_secret_variable",
                "subject_claim",
                "email_domains",
                "mfa_amr_values",
                "mfa_acr_values",
                "is_active",
            ],
        )
        auditlog.register(LinkedIdentity, include_fields=["provider", "subject", "user", "email", "approved_at"])
