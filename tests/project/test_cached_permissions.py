"""Permission sets come from the shared cache, and any change of who may do what is seen on the
next request: a user leaving a group, a group losing a permission, a user made superuser."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

PERM = "rules.manage_rules"


@pytest.fixture
def editor(db):
    group = Group.objects.create(name="Admin Aturan Uji")
    group.permissions.add(Permission.objects.get(codename="manage_rules", content_type__app_label="rules"))
    user = get_user_model().objects.create_user("editor.uji", password="x")
    user.groups.add(group)
    return user, group


def fresh(user):
    """The user as the next request loads it (no per-object permission memo)."""
    return get_user_model().objects.get(pk=user.pk)


def has_perm_queries(user) -> tuple[bool, int]:
    with CaptureQueriesContext(connection) as queries:
        allowed = user.has_perm(PERM)
    return allowed, len(queries)


def test_with_a_shared_cache_the_set_is_read_once_and_every_change_is_seen(settings, editor):
    settings.KINERJA_CACHE_URL = "redis://shared"  # the backend only asks whether one is configured
    user, group = editor
    assert has_perm_queries(fresh(user)) == (True, 2)
    assert has_perm_queries(fresh(user)) == (True, 0)  # the next request: from the cache

    user.groups.remove(group)
    assert has_perm_queries(fresh(user)) == (False, 2)
    user.groups.add(group)
    assert fresh(user).has_perm(PERM)

    group.permissions.clear()
    assert not fresh(user).has_perm(PERM)

    user.is_superuser = True
    user.save()
    assert fresh(user).has_perm(PERM)


def test_without_a_shared_cache_each_request_reads_the_database(settings, editor):
    settings.KINERJA_CACHE_URL = ""
    user, group = editor
    assert has_perm_queries(fresh(user)) == (True, 2)
    assert has_perm_queries(fresh(user)) == (True, 2)
    user.groups.remove(group)
    assert has_perm_queries(fresh(user)) == (False, 2)


def test_the_signed_in_user_is_read_as_django_reads_it(editor, client):
    from django.contrib.auth.backends import ModelBackend

    from project.auth import CachedPermissionsBackend

    user, _group = editor
    ours, django = CachedPermissionsBackend(), ModelBackend()
    for user_id in (user.pk, str(user.pk)):  # the session keeps it as text
        found, expected = ours.get_user(user_id), django.get_user(user_id)
        assert found == expected and found.username == "editor.uji" and found.password == expected.password
    assert ours.get_user(str(10**9)) is None is django.get_user(str(10**9))
    user.is_active = False
    user.save()
    assert ours.get_user(str(user.pk)) is None is django.get_user(str(user.pk))
    # a signed-in session reaches a page as that user, and no longer once the account is disabled
    user.is_active = True
    user.save()
    client.force_login(user)
    assert client.get("/kinerja/kotak-masuk/").status_code == 200
    get_user_model().objects.filter(pk=user.pk).update(is_active=False)
    assert client.get("/kinerja/kotak-masuk/").status_code == 302  # back to the login page
