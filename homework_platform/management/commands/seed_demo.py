import json

from django.core.management.base import BaseCommand

from homework_platform.demo import seed


class Command(BaseCommand):
    help = "Create (or top up) the demo practices, people, clients and homework. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Print the logins as JSON.")

    def handle(self, *args, **options):
        summary = seed()
        if options["json"]:
            self.stdout.write(json.dumps(summary, indent=2))
            return
        for practice in summary["practices"]:
            self.stdout.write(self.style.MIGRATE_HEADING(f"{practice['name']}"))
            for user in practice["users"]:
                self.stdout.write(f"  {user['role']:<10} {user['email']:<34} {user['password']}")
        curator = summary["curator"]
        self.stdout.write(self.style.MIGRATE_HEADING("Platform"))
        self.stdout.write(f"  {'curator':<10} {curator['email']:<34} {curator['password']}")
