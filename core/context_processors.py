from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def seedbed(request: HttpRequest) -> dict:
    return {
        "session_idle_timeout": settings.SESSION_IDLE_TIMEOUT,
        "session_timeout_warning": settings.SESSION_TIMEOUT_WARNING,
        # Counted only by a page that shows it (the site's header); staff admin pages do not.
        "unread_message_count": SimpleLazyObject(lambda: _unread(request)),
    }


def _unread(request: HttpRequest) -> int:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return user.inbox.filter(read_at__isnull=True).count()
