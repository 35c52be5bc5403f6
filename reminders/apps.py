from django.apps import AppConfig


class RemindersConfig(AppConfig):
    name = "reminders"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from reminders import receivers  # noqa: F401  (connects the signal receivers)
