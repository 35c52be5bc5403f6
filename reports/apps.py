from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "PDFs and reports"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from reports import receivers  # noqa: F401  (connects the signal receivers)
