"""Login throttling (django-axes): a user name + address is locked after the configured number of
failed sign-ins, on the product's login page and the Django admin's; the right password is then
refused with an Indonesian message; other users and addresses are not affected; an admin unlocks;
the lockout is in the audit log; behind the proxy the client's address is the one that counts."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from workflow.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "Rahasia-2026!"
LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
LOCKED = "Terlalu banyak percobaan masuk yang gagal"


@pytest.fixture
def user():
    return get_user_model().objects.create_user("199001012020121001", password=PASSWORD, is_staff=True)


def attempt(client, url, username, password, **meta):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR="198.51.100.7", **meta)


def fail(client, url, username, times, **meta):
    for _ in range(times):
        response = attempt(client, url, username, "salah-sandi", **meta)
        assert response.status_code in (200, 429)
    return response


@pytest.mark.parametrize("url", [LOGIN, ADMIN_LOGIN])
def test_the_right_password_is_refused_after_the_limit_of_failures(client, settings, user, url):
    response = fail(client, url, user.username, settings.AXES_FAILURE_LIMIT)
    assert response.status_code == 429
    response = attempt(client, url, user.username, PASSWORD)
    assert response.status_code == 429
    page = response.content.decode()
    assert page.count(LOCKED) == 1
    assert "30 menit" in page
    assert "_auth_user_id" not in client.session
    # The login page itself, with its form, not a bare text.
    assert 'name="password"' in page


def test_below_the_limit_the_right_password_still_works(client, settings, user):
    fail(client, LOGIN, user.username, settings.AXES_FAILURE_LIMIT - 1)
    assert attempt(client, LOGIN, user.username, PASSWORD).status_code == 302


def test_another_address_and_another_user_are_not_locked(client, settings, user):
    other = get_user_model().objects.create_user("199202022020122002", password=PASSWORD)
    fail(client, LOGIN, user.username, settings.AXES_FAILURE_LIMIT)
    assert attempt(client, LOGIN, other.username, PASSWORD).status_code == 302
    client.logout()
    from_elsewhere = client.post(LOGIN, {"username": user.username, "password": PASSWORD}, REMOTE_ADDR="203.0.113.9")
    assert from_elsewhere.status_code == 302


def test_the_admin_unlocks_with_the_management_command(client, settings, user):
    fail(client, LOGIN, user.username, settings.AXES_FAILURE_LIMIT)
    assert attempt(client, LOGIN, user.username, PASSWORD).status_code == 429
    call_command("axes_reset_username", user.username)
    assert attempt(client, LOGIN, user.username, PASSWORD).status_code == 302


def test_the_admin_unlocks_in_the_django_admin(client, settings, user):
    from axes.models import AccessAttempt

    fail(client, LOGIN, user.username, settings.AXES_FAILURE_LIMIT)
    attempt_row = AccessAttempt.objects.get(username=user.username)
    superuser = get_user_model().objects.create_superuser("root", password=PASSWORD)
    admin_client = type(client)()
    admin_client.force_login(superuser)
    listing = admin_client.get("/admin/axes/accessattempt/")
    assert user.username in listing.content.decode()
    deleted = admin_client.post(f"/admin/axes/accessattempt/{attempt_row.pk}/delete/", {"post": "yes"})
    assert deleted.status_code == 302
    assert attempt(client, LOGIN, user.username, PASSWORD).status_code == 302


def test_a_lockout_is_one_audit_event_naming_the_account_and_address(client, settings, user):
    fail(client, LOGIN, user.username, settings.AXES_FAILURE_LIMIT + 3)
    attempt(client, LOGIN, user.username, PASSWORD)
    events = list(AuditEvent.objects.filter(action=AuditAction.LOGIN_LOCKED_OUT))
    assert len(events) == 1
    event = events[0]
    assert event.object_id == str(user.pk)
    assert event.ip == "198.51.100.7"
    assert event.after["username"] == user.username
    assert event.after["failures"] == settings.AXES_FAILURE_LIMIT


def test_behind_the_proxy_the_forwarded_client_address_counts(client, settings, user):
    """nginx appends the address it received from to X-Forwarded-For; anything left of it was
    sent by the client. One proxy: the right-most entry is the client."""
    settings.KINERJA_PROXY_COUNT = 1
    for n in range(settings.AXES_FAILURE_LIMIT):
        # The attacker forges a different left-most entry each time: it must not help.
        attempt(client, LOGIN, user.username, "salah-sandi", HTTP_X_FORWARDED_FOR=f"10.9.9.{n}, 192.0.2.50")
    assert attempt(client, LOGIN, user.username, PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.50").status_code == 429
    # Another client behind the same proxy (same REMOTE_ADDR) signs in.
    assert attempt(client, LOGIN, user.username, PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.77").status_code == 302
    event = AuditEvent.objects.get(action=AuditAction.LOGIN_LOCKED_OUT)
    assert event.ip == "192.0.2.50"


def test_without_a_configured_proxy_the_forwarded_header_is_ignored(client, settings, user):
    for n in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, LOGIN, user.username, "salah-sandi", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    assert attempt(client, LOGIN, user.username, PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.99").status_code == 429
