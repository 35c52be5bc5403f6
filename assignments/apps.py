from django.apps import AppConfig
from django.db.models.signals import post_delete


class AssignmentsConfig(AppConfig):
    name = "assignments"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from assignments.services.media_answers import media_file_remove

        # An erased client's (or a deleted entry's) voice memos and photos leave the disk
        # with their rows, whatever deleted them (cascades included).
        post_delete.connect(
            media_file_remove, sender="assignments.MediaAnswer", dispatch_uid="media_file_remove"
        )
