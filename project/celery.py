"""Celery application.

Without ``CELERY_BROKER_URL`` the settings make every task run eagerly in-process, so the embedded
(SQLite) setup needs no broker; production points the broker at Redis or RabbitMQ.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")

app = Celery("kinerja")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
