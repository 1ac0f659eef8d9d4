from django.core.management.base import BaseCommand

from core.roles import roles_set_up


class Command(BaseCommand):
    help = "Create the standard roles (groups, permissions, two-step sign-in policy). Safe to run again."

    def handle(self, *args, **options) -> None:
        groups = roles_set_up()
        self.stdout.write(self.style.SUCCESS(f"{len(groups)} roles are set up."))
