from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "mappa.notifications"
    label = "notifications"
    verbose_name = "Notifications"
