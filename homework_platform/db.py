"""Base classes for tenant-owned models.

Every tenant-owned row carries a non-null ``practice`` and is reached through a scoped manager
(django-scopes): a query made outside a practice scope raises ``ScopeError`` instead of
returning another practice's rows.
"""

import uuid

from django.db import models
from django_scopes import ScopedManager


class TenantModel(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    practice = models.ForeignKey("accounts.Practice", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(practice="practice")

    class Meta:
        abstract = True
