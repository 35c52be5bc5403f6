"""Files go with their rows: a PDF or a logo deleted in the database (replaced, or removed
with its client or practice) is deleted from storage once the deletion is committed, so no
copy of a client's data outlives its record."""

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from reports.models import ClientExport, PdfDocument, PracticeBranding


@receiver(post_delete, sender=PdfDocument, dispatch_uid="reports_pdf_file")
def delete_pdf_file(sender, instance, **kwargs):
    _delete_on_commit(instance.file)


@receiver(post_delete, sender=PracticeBranding, dispatch_uid="reports_logo_file")
def delete_logo_file(sender, instance, **kwargs):
    _delete_on_commit(instance.logo)


def _delete_on_commit(field_file) -> None:
    if field_file:
        name = field_file.name
        transaction.on_commit(lambda: default_storage.delete(name))


@receiver(post_delete, sender=ClientExport, dispatch_uid="reports_export_file")
def delete_export_file(sender, instance, **kwargs):
    _delete_on_commit(instance.file)
