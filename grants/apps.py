from django.apps import AppConfig


class GrantsConfig(AppConfig):
    name = "grants"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from core.access import follow_records

        from .models import Fund, Round

        # Funds are offered as a filter on the officers' list, whose frame is remembered
        # (core.admin_frame), and with their rounds make the list of funds open now, which is
        # remembered too (grants.selectors.funds_open_now).
        follow_records(Fund, Round)
