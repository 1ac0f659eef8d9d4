import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator

from core.audit import audit_record
from core.messenger import email_send
from core.models.audit import AuditAction
from core.permissions import user_requires_mfa

security_log = logging.getLogger("seedbed.security")


def client_ip(request: HttpRequest) -> str:
    """The visitor's address as sign-in throttling sees it: behind the TLS proxy, read from
    X-Forwarded-For as far as TRUSTED_PROXY_COUNT allows, never the proxy's own address."""
    return AccountAdapter(request).get_client_ip(request)


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Account emails are rendered now and sent by a worker, so a sign-up or reset request takes
        the same time whether or not the address has an account."""
        context = {**context, "email": email}
        subject = " ".join(
            render_to_string(f"{template_prefix}_subject.txt", context, self.request).split()
        )
        subject = self.format_email_subject(subject)
        body = render_to_string(f"{template_prefix}_message.txt", context, self.request).strip()
        try:
            html = render_to_string(f"{template_prefix}_message.html", context, self.request)
        except TemplateDoesNotExist:
            html = None
        email_send(to=email, subject=subject, body=body, html=html)

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        user = request.user
        if user.is_authenticated and user.has_perm("wagtailadmin.access_admin"):
            next_url = super().get_login_redirect_url(request)
            return next_url if next_url != "/dashboard/" else "/admin/"
        return super().get_login_redirect_url(request)

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        # The address typed is not logged: it may be someone else's, or a password typed in the
        # wrong box.
        security_log.warning("sign-in failed ip=%s", self.get_client_ip(request))

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            ip = self.get_client_ip(request)
            security_log.warning("sign-in throttled ip=%s", ip)
            audit_record(
                actor=None,
                action=AuditAction.SECURITY,
                reason="sign-in throttled after repeated failures",
                detail={"ip": ip},
            )
            raise


class MFAAdapter(DefaultMFAAdapter):
    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """Someone whose role needs two-step sign-in can replace their authenticator, not remove
        the last one: otherwise they would carry on in this session with a password alone."""
        user = authenticator.user
        if not user_requires_mfa(user):
            return True
        return (
            Authenticator.objects.filter(
                user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
            )
            .exclude(pk=authenticator.pk)
            .exists()
        )
