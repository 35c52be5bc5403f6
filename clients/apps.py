from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "clients"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from clients.tenancy import resolve_signed_in_tenant
        from core.tenancy import set_tenant_resolver

        set_tenant_resolver(resolve_signed_in_tenant)
