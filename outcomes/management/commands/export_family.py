import json

from django.core.management.base import BaseCommand, CommandError

from core.audit import audit_record
from core.models.audit import AuditAction
from outcomes.models import FamilyRecord
from outcomes.services.privacy import family_export


class Command(BaseCommand):
    help = "Print everything held about one family (a subject access request) as JSON."

    def add_arguments(self, parser) -> None:
        parser.add_argument("reference")

    def handle(self, *args, reference: str, **options) -> None:
        family = FamilyRecord.objects.filter(reference=reference).select_related("locality").first()
        if family is None:
            raise CommandError(f"There is no family record {reference!r}.")
        audit_record(
            actor=None, action=AuditAction.VIEW, obj=family, reason="Subject access export"
        )
        self.stdout.write(json.dumps(family_export(family), indent=2, ensure_ascii=False))
