"""Settings for the Celery workers of ``bench_reminder_sweep.py --workers``: the real settings
(PostgreSQL and Redis from the environment), the benchmark's recording email backend, and a
queue of the run's own."""

import os

from homework_platform.settings import *  # noqa: F403

EMAIL_BACKEND = "bench.bench_reminder_sweep.RecordingBackend"
CELERY_TASK_DEFAULT_QUEUE = os.environ["BENCH_QUEUE"]
