from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from mappa import health
        from notifications.health import oldest_unsent_email

        health.register(
            oldest_unsent_email, status="email", without_database={"oldest_unsent_email_seconds": None, "email": "ok"}
        )
