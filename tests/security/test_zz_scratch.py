import pytest, time
import time_machine
from django.core import mail
from tests.factories.core import UserFactory, TEST_PASSWORD
from core.enums import Role

@pytest.mark.django_db
def test_email(client, sign_in, django_capture_on_commit_callbacks):
    user = UserFactory(with_mfa=True)
    with time_machine.travel(time.time(), tick=True) as t:
        r = sign_in(user)
        print("signin", r.status_code, r.get("Location"))
        t.shift(600)
        with django_capture_on_commit_callbacks(execute=True):
            r = client.post("/accounts/email/", {"action_add": "", "email": "attacker@evil.test"})
        print("add stale", r.status_code, r.get("Location"), [m.to for m in mail.outbox])
        r = client.get(r["Location"])
        print(r.status_code, [l for l in r.content.decode().splitlines() if "password" in l.lower() or "code" in l.lower()][:10])
        with django_capture_on_commit_callbacks(execute=True):
            r = client.post("/accounts/2fa/deactivate/".replace("2fa/deactivate", "2fa/totp/deactivate"), {})
        print("deact stale", r.status_code, r.get("Location"))
        with django_capture_on_commit_callbacks(execute=True):
            r = client.post("/accounts/reauthenticate/", {"password": TEST_PASSWORD})
        print("reauth", r.status_code, r.get("Location"))
        with django_capture_on_commit_callbacks(execute=True):
            r = client.post("/accounts/email/", {"action_add": "", "email": "attacker@evil.test"})
        print("add fresh", r.status_code, r.get("Location"), [(m.to, m.subject) for m in mail.outbox])
        with django_capture_on_commit_callbacks(execute=True):
            r = client.post("/accounts/2fa/totp/deactivate/", {})
        print("deact fresh", r.status_code, r.get("Location"), [(m.to, m.subject) for m in mail.outbox])
