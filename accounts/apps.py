from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from accounts.audit import read_audited
        from core.api import set_read_auditor

        set_read_auditor(read_audited)
