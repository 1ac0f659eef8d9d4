import time

from django.dispatch import receiver

from allauth.account.signals import user_logged_in

from core.middleware import SESSION_LAST_SEEN, SESSION_LOGIN_AT


@receiver(user_logged_in)
def start_session_clock(sender, request, user, **kwargs) -> None:
    now = time.time()
    request.session[SESSION_LOGIN_AT] = now
    request.session[SESSION_LAST_SEEN] = now
