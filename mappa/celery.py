"""The Celery app. Tasks are queued only after the transaction that asked for them commits
(use `task.delay_on_commit(...)`), so a task never sees data that was rolled back."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mappa.settings")

app = Celery("mappa")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
