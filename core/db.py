"""Base classes for tenant-owned models.

Every tenant-owned row carries a non-null ``practice`` and is reached through a scoped manager
(django-scopes): a query made outside a practice scope raises ``ScopeError`` instead of
returning another practice's rows.
"""

import uuid

from django.db import models
from django_scopes import ScopedManager


def practice_key(*, db_index: bool = True) -> models.ForeignKey:
    """A tenant row's ``practice``. ``db_index=False`` is for a table written in bursts whose
    every query reads it through a narrower index (``reminders.Delivery``): there, an index
    on the practice alone only tempts the planner when its statistics lag behind."""
    return models.ForeignKey(
        "accounts.Practice", on_delete=models.CASCADE, related_name="+", db_index=db_index
    )


class TenantModel(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    practice = practice_key()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(practice="practice")

    class Meta:
        abstract = True
