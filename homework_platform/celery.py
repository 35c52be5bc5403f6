"""The Celery app and the task base that enters a practice scope.

Tasks take ids, never model instances, are enqueued only after the transaction commits
(``delay_on_commit``), and are acknowledged late so a killed worker's task is redelivered.
Tenant work goes through ``core.tasks.TenantTask``.
"""

import os
from pathlib import Path

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "homework_platform.settings")

app = Celery("bridgework")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _make_broker_folders(sender, **kwargs):
    """The embedded (filesystem) broker needs its folders before the first message."""
    options = sender.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "control_folder"):
        if key in options:
            Path(options[key]).mkdir(parents=True, exist_ok=True)
