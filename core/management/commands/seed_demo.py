import logging

from django.conf import settings
from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from cms.demo import seed_site
from core.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, seed_core
from grants.demo import seed_grants
from outcomes.demo import seed_outcomes
from payments.demo import seed_payments

QUIET_MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


class Command(BaseCommand):
    help = "Load the fictional demo borough (localities, hubs, boards, groups, people). Safe to run again."

    def handle(self, *args, **options) -> None:
        # The demo's people get their messages in their inboxes; the emails those messages would
        # send are kept back while loading, so the log-ins below are not lost in hundreds of them.
        logging.getLogger("celery.app.trace").setLevel(logging.WARNING)
        logging.getLogger("kombu.connection").setLevel(logging.ERROR)
        with override_settings(MAILERS=QUIET_MAILERS):
            logins = seed_core()
            seed_site()
            seed_outcomes()
            seed_grants()
            seed_payments()
        self.stdout.write(self.style.SUCCESS("The demo borough of Brackenford is ready."))
        self.stdout.write("")
        self.stdout.write("Sign in at http://127.0.0.1:8000/accounts/login/ with any of these:")
        width = max(len(login.email) for login in logins)
        for login in logins:
            note = f" ({login.note})" if login.note else ""
            self.stdout.write(f"  {login.email.ljust(width)}  {login.role}{note}")
        self.stdout.write("")
        self.stdout.write(f"Every demo password is: {DEMO_PASSWORD}")
        self.stdout.write(
            "Staff and board members use two-step sign-in. Add this secret to an authenticator app "
            f"(Google Authenticator, Microsoft Authenticator, 1Password…): {DEMO_TOTP_SECRET}"
        )
        bypass = getattr(settings, "MFA_TOTP_INSECURE_BYPASS_CODE", None)
        if settings.DEBUG and bypass:
            self.stdout.write(f"Or, in this demo only, type the code {bypass}.")
