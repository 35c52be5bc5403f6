"""Settings for the worker and sweeper processes the chaos tests start: the real settings
(Redis broker, PostgreSQL from DATABASE_URL), with an email backend the test controls, a
queue of the test's own, and a short visibility timeout so that Redis hands the message of
a killed worker to the next one (which must then do nothing)."""

import os

from homework_platform.settings import *  # noqa: F403

EMAIL_BACKEND = "tests.reminders.backends.BlockingBackend"
CELERY_TASK_DEFAULT_QUEUE = os.environ["CHAOS_QUEUE"]
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
