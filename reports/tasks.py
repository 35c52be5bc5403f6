"""Celery tasks of PDF rendering. Thin: the work is in reports.services."""

from celery import shared_task

from core.tasks import TenantTask
from reports import services


@shared_task(
    name="reports.render_pdf_document",
    base=TenantTask,
    acks_late=True,
    reject_on_worker_lost=True,
)
def render_pdf_document(*, document_id: str, practice_id: str) -> None:
    """Render one queued PDF inside its practice's scope (idempotent: it claims first)."""
    services.pdf_document_render(document_id=document_id)
