"""Celery tasks of PDF rendering. Thin: the work is in reports.services."""

from celery import shared_task

from core.tasks import TenantTask
from reports import client_export, services


@shared_task(
    name="reports.render_pdf_document",
    base=TenantTask,
    acks_late=True,
    reject_on_worker_lost=True,
)
def render_pdf_document(*, document_id: str, practice_id: str) -> None:
    """Render one queued PDF inside its practice's scope (idempotent: it claims first)."""
    services.pdf_document_render(document_id=document_id)


@shared_task(
    name="reports.build_client_export",
    base=TenantTask,
    acks_late=True,
    reject_on_worker_lost=True,
)
def build_client_export(*, export_id: str, practice_id: str) -> None:
    """Build one client's data export inside its practice's scope (idempotent: it claims
    first)."""
    client_export.export_build(export_id=export_id)


@shared_task(name="reports.purge_expired_exports", acks_late=True, reject_on_worker_lost=True)
def purge_expired_exports() -> int:
    """Hourly (CELERY_BEAT_SCHEDULE): delete the zips of exports whose link expired unused."""
    return client_export.exports_purge_expired()
