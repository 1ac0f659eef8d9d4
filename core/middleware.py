import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import urlencode

from core.permissions import user_has_mfa, user_requires_mfa

SESSION_LOGIN_AT = "seedbed_login_at"
SESSION_LAST_SEEN = "seedbed_last_seen"
SESSION_MFA_OK = "seedbed_mfa_ok"

# Paths a person who must set up two-step sign-in can still reach, so they can set it up or leave.
MFA_SETUP_ALLOWED_PREFIXES = ("/accounts/", "/static/", "/healthz", "/session/")


LAST_SEEN_RESOLUTION = 60  # seconds


class SessionTimeoutMiddleware:
    """Signs people out after a spell of inactivity, and after a fixed time whatever they do.

    Draft answers are saved as people go, so being signed out loses nothing; the sign-in page says why.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            login_at = request.session.get(SESSION_LOGIN_AT, now)
            last_seen = request.session.get(SESSION_LAST_SEEN, now)
            idle = now - last_seen > settings.SESSION_IDLE_TIMEOUT
            expired = now - login_at > settings.SESSION_ABSOLUTE_TIMEOUT
            if idle or expired:
                logout(request)
                messages.info(
                    request,
                    "You were signed out to keep your account safe. Anything you saved is still there.",
                )
                login_url = reverse("account_login")
                if request.path in (reverse("core:session_status"), login_url):
                    # The timeout warning asks in the background and reads JSON: it is told
                    # "signed out" and takes the person to sign in itself, to the sign-in page
                    # with its own `next`, which needs no other.
                    return self.get_response(request)
                if request.method == "GET":
                    login_url += "?" + urlencode({"next": request.get_full_path()})
                return redirect(login_url)
            request.session.setdefault(SESSION_LOGIN_AT, now)
            # Written at most once a minute: the idle limit is measured in tens of minutes, and a
            # session row rewritten on every page costs every page a database write.
            if (
                now - last_seen >= LAST_SEEN_RESOLUTION or SESSION_LAST_SEEN not in request.session
            ) and request.path != reverse("core:session_status"):
                request.session[SESSION_LAST_SEEN] = now
        return self.get_response(request)


class RequireMFAMiddleware:
    """Staff, board members and other trusted roles cannot reach anything until two-step sign-in is set up."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not request.session.get(SESSION_MFA_OK)
            and not request.path.startswith(MFA_SETUP_ALLOWED_PREFIXES)
            and user_requires_mfa(user)
        ):
            if not user_has_mfa(user):
                messages.info(
                    request,
                    "Your role needs two-step sign-in. Set up an authenticator app to carry on.",
                )
                return redirect("mfa_activate_totp")
            request.session[SESSION_MFA_OK] = True
        return self.get_response(request)


class PrivacyHeadersMiddleware:
    """Headers that depend on who is asking: signed-in pages are never cached; logout clears the
    browser's copy of the site; the Wagtail admin gets its own content security policy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        was_signed_in = request.user.is_authenticated
        response = self.get_response(request)
        if was_signed_in or request.path.startswith(("/accounts/", "/admin/")):
            patch_cache_control(response, no_store=True, private=True, no_cache=True)
        if request.path == reverse("account_logout") and request.method == "POST":
            response["Clear-Site-Data"] = '"cache", "cookies", "storage"'
        if request.path.startswith("/admin/"):
            response._csp_config = settings.ADMIN_CSP  # type: ignore[attr-defined]
        return response
