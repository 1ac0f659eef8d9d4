from django.conf import settings
from django.http import HttpRequest


def seedbed(request: HttpRequest) -> dict:
    unread = 0
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        unread = request.user.inbox.filter(read_at__isnull=True).count()
    return {
        "session_idle_timeout": settings.SESSION_IDLE_TIMEOUT,
        "session_timeout_warning": settings.SESSION_TIMEOUT_WARNING,
        "unread_message_count": unread,
    }
