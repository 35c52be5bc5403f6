from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Bridgework core"

    def ready(self):
        from core import rls

        rls.connect_signals()
        # After every migrate, (re)apply the tenant policies on PostgreSQL. post_migrate fires
        # once per app once all migrations ran; listening for one app runs it once.
        post_migrate.connect(
            rls.apply_policies_after_migrate,
            sender=apps.get_app_config("accounts"),
            dispatch_uid="bridgework_rls",
        )
