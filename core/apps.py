from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Seedbed core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks, signals  # noqa: F401
