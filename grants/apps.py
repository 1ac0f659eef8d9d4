from django.apps import AppConfig


class GrantsConfig(AppConfig):
    name = "grants"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from core.access import fetch_with_access, follow_records

        from .models import Application, Fund, Round
        from .selectors import GROUP_APPLICATIONS_FACT

        # Funds are offered as a filter on the officers' list, whose page is remembered
        # (core.admin_frame), and with their rounds make the list of funds open now, which is
        # remembered too (grants.selectors.funds_open_now). Applications are that list's rows.
        follow_records(Application, Fund, Round)
        # Each applicant's list of their groups' applications is remembered (grants.selectors).
        fetch_with_access(GROUP_APPLICATIONS_FACT)
