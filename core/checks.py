"""Deployment checks of our own, run by `check --deploy` beside Django's."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.security, deploy=True)
def seedbed_deploy_checks(app_configs, **kwargs):
    problems = []
    if not settings.SESSION_COOKIE_NAME.startswith("__Host-"):
        problems.append(
            Warning("The session cookie should use the __Host- prefix.", id="seedbed.W001")
        )
    if not settings.CSRF_COOKIE_NAME.startswith("__Host-"):
        problems.append(
            Warning("The CSRF cookie should use the __Host- prefix.", id="seedbed.W002")
        )
    csp = getattr(settings, "SECURE_CSP", {}) or {}
    for directive, expected in (
        ("object-src", "'none'"),
        ("base-uri", "'none'"),
        ("frame-ancestors", "'none'"),
    ):
        if expected not in [str(v) for v in csp.get(directive, [])]:
            problems.append(
                Warning(f"SECURE_CSP should set {directive} {expected}.", id="seedbed.W003")
            )
    if 0 < settings.SECURE_HSTS_SECONDS < 60 * 60 * 24 * 365:
        # Django's own check (security.W004) asks for a value; the HSTS preload list wants a year.
        problems.append(
            Warning("SECURE_HSTS_SECONDS should be at least a year.", id="seedbed.W005")
        )
    if getattr(settings, "MFA_TOTP_INSECURE_BYPASS_CODE", None):
        problems.append(Error("MFA_TOTP_INSECURE_BYPASS_CODE must not be set.", id="seedbed.E001"))
    if settings.CELERY_TASK_ALWAYS_EAGER:
        problems.append(
            Warning("Tasks run in the request: set REDIS_URL to a broker.", id="seedbed.W004")
        )
    if "locmem" in settings.CACHES["default"]["BACKEND"]:
        problems.append(
            Warning(
                "The cache is each process's own: set REDIS_URL so that rate limits, two-step "
                "sign-in codes and remembered permissions are shared.",
                id="seedbed.W006",
            )
        )
    if getattr(settings, "GRANTS_FUNDER_ORG_ID", "").upper().endswith("-XXX"):
        problems.append(
            Warning(
                "GRANTS_FUNDER_ORG_ID is the placeholder: set the council's org-id "
                "(org-id.guide, for example GB-LAE-BRK) before grants are published as open data.",
                id="seedbed.W007",
            )
        )
    return problems


BANK_HOLIDAY_REGIONS = {"ENG", "WLS", "SCT", "NIR"}


@register()
def seedbed_settings_checks(app_configs, **kwargs):
    """Settings a wrong value of would only show later, as a wrong date told to a group."""
    if getattr(settings, "BANK_HOLIDAYS_REGION", "ENG") not in BANK_HOLIDAY_REGIONS:
        return [
            Error(
                f"BANK_HOLIDAYS_REGION must be one of {', '.join(sorted(BANK_HOLIDAY_REGIONS))}: "
                "the part of the UK whose bank holidays working days leave out.",
                id="seedbed.E002",
            )
        ]
    return []
