from django.apps import AppConfig


class KitemarkConfig(AppConfig):
    name = "kitemark"
    default_auto_field = "django.db.models.BigAutoField"
