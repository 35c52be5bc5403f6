from django.apps import AppConfig


class HomeworkPlatformConfig(AppConfig):
    """The project's wiring (settings, URLs, the Celery app, the demo seeder command)."""

    name = "homework_platform"
    verbose_name = "Bridgework platform"
