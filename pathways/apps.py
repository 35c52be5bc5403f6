from django.apps import AppConfig


class PathwaysConfig(AppConfig):
    name = "pathways"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from pathways import receivers  # noqa: F401  (connects the signal receivers)
