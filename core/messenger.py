"""One messenger for every notification: an inbox message now, its email after the transaction commits.

Templates live in files: `<app>/emails/<name>.subject.txt`, `<name>.txt` and, optionally,
`<name>.html`. A message kind listed in OPTIONAL_KINDS can be switched off by its recipient;
everything else (decisions, payments, security) is always sent.
"""

from typing import Any

from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string

from core.models import InboxMessage, NotificationPreference, User
from core.outbox import enqueue_after_commit

OPTIONAL_KINDS: dict[str, str] = {
    "reminder": "Reminders before a deadline",
    "news": "News about funds and opportunities in your area",
}


def _render(template: str, context: dict[str, Any]) -> tuple[str, str, str | None]:
    subject = " ".join(render_to_string(f"{template}.subject.txt", context).split())
    body = render_to_string(f"{template}.txt", context)
    try:
        html = render_to_string(f"{template}.html", context)
    except TemplateDoesNotExist:
        html = None
    return subject, body, html


def email_wanted(user: User, kind: str) -> bool:
    if kind not in OPTIONAL_KINDS:
        return True
    preference = NotificationPreference.objects.filter(user=user, kind=kind).first()
    return preference.email if preference else True


def message_send(
    *, recipient: User, kind: str, template: str, context: dict[str, Any], link: str = ""
) -> InboxMessage:
    """Put a message in the recipient's inbox and queue its email once the caller's transaction commits."""
    from core.tasks import send_inbox_email

    subject, body, html = _render(template, {**context, "recipient": recipient})
    message = InboxMessage.objects.create(
        recipient=recipient,
        kind=kind,
        subject=subject,
        body=body,
        html_body=html or "",
        link=link,
        email_wanted=email_wanted(recipient, kind),
    )
    if message.email_wanted:
        enqueue_after_commit(send_inbox_email, message.pk)
    return message


def email_send(*, to: str, subject: str, body: str, html: str | None = None) -> None:
    """An email to an address with no inbox (sign-up, password reset): rendered now, sent by a task."""
    from core.tasks import send_plain_email

    enqueue_after_commit(send_plain_email, to, subject, body, html)
