from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Seedbed core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks, signals  # noqa: F401
        from .access import connect_signals, follow_records
        from .models import Locality, Organisation, OrganisationMembership

        connect_signals()
        # Staff lists offer localities as a filter and remember their frame (core.admin_frame);
        # groups' names are in remembered lists, and memberships say whose applications are whose.
        follow_records(Locality, Organisation, OrganisationMembership)
