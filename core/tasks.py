"""The Celery task base that enters a practice scope: the third of the three places a scope is
entered (``core.tenancy``).

A tenant task takes ``practice_id`` as a keyword argument and runs its body inside that
practice's scope. Sweepers that claim rows across practices run with ``scopes_disabled()``
explicitly and enqueue one tenant task per row.
"""

from celery.contrib.django.task import DjangoTask

from core.tenancy import practice_scope


class TenantTask(DjangoTask):  # DjangoTask adds delay_on_commit()
    abstract = True

    def __call__(self, *args, **kwargs):
        if "practice_id" not in kwargs:
            raise TypeError(f"{self.name} is a tenant task and needs practice_id=…")
        with practice_scope(kwargs["practice_id"]):
            return super().__call__(*args, **kwargs)
