"""Celery tasks for erasure and retention. Thin: they take ids and call a service."""

from celery import shared_task
from django_scopes import scopes_disabled

from core.tasks import TenantTask
from privacy import services
from privacy.models import ErasureRequest


@shared_task(name="privacy.erase_client", base=TenantTask, acks_late=True)
def erase_client(*, erasure_id: str, practice_id: str) -> str:
    erasure = ErasureRequest.objects.get(pk=erasure_id, practice_id=practice_id)
    return services.client_erase(erasure=erasure).status


@shared_task(name="privacy.apply_retention_for", base=TenantTask, acks_late=True)
def apply_retention_for(*, practice_id: str) -> int:
    from accounts.models import Practice

    return len(services.retention_apply(practice=Practice.objects.get(pk=practice_id)))


@shared_task(name="privacy.apply_retention")
def apply_retention() -> int:
    """Daily (beat): one tenant task per practice, each erasing its own expired clients."""
    with scopes_disabled():
        ids = [str(p.pk) for p in services.retention_practices()]
    for practice_id in ids:
        apply_retention_for.delay(practice_id=practice_id)
    return len(ids)
