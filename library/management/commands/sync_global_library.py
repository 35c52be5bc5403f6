from django.core.management.base import BaseCommand, CommandError

from library.seeding import SeedError, sync_global_library


class Command(BaseCommand):
    help = "Load library/seed/activities/*.json into the global library (idempotent)."

    def handle(self, *args, **options):
        try:
            report = sync_global_library()
        except SeedError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"{len(report.created)} created, {len(report.updated)} updated, "
            f"{len(report.unchanged)} unchanged."
        )
