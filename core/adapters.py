from django.http import HttpRequest
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string

from allauth.account.adapter import DefaultAccountAdapter

from core.messenger import email_send


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
