"""Permissions read from the cache: Django's ``ModelBackend`` loads a user's permission set with two
queries (their own and their groups') on every request that asks, and every page's menu asks.

The set is cached per user (and superuser flag) with the version it was read under, which any
change of a permission, a group, a group's permissions or a user's groups or permissions moves, so
a revoked permission is gone on the next request (the version and the set are read together).
Only with a cache every process shares (``KINERJA_CACHE_URL``): with one cache per process,
another worker would keep the old set; then this is plain ``ModelBackend``.
The signed-in user's row, read on every request too, is read by a statement compiled once."""

from __future__ import annotations

import functools

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache

from project.prepared import row_by_pk

VERSION_KEY = "kinerja-permissions-version"
TTL = 300


def shared_cache() -> bool:
    return bool(getattr(settings, "KINERJA_CACHE_URL", ""))


def permissions_changed(**kwargs) -> None:
    """Every cached permission set is stale from now on (signal receiver)."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # not there yet (or evicted): any new value leaves the old keys unread
        cache.set(VERSION_KEY, 1, None)


class CachedPermissionsBackend(ModelBackend):
    def get_user(self, user_id):
        """As ``ModelBackend.get_user``, the row read by a statement compiled once."""
        if type(user_id) is not int and not (isinstance(user_id, str) and user_id.isdecimal()):
            return super().get_user(user_id)
        user = row_by_pk(get_user_model()).first(int(user_id))
        return user if user is not None and self.user_can_authenticate(user) else None

    def get_all_permissions(self, user_obj, obj=None):
        if not shared_cache() or not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return super().get_all_permissions(user_obj, obj)
        if not hasattr(user_obj, "_perm_cache"):
            # the set is kept with the version it was read under; both come in one round trip
            key = f"kinerja-permissions-{user_obj.pk}-{int(user_obj.is_superuser)}"
            got = cache.get_many([VERSION_KEY, key])
            version, held = got.get(VERSION_KEY, 0), got.get(key)
            if isinstance(held, tuple) and len(held) == 2 and held[0] == version:
                found = held[1]
            else:
                found = super().get_all_permissions(user_obj)
                cache.set(key, (version, found), TTL)
            user_obj._perm_cache = found
        return user_obj._perm_cache


@functools.cache
def _default_avatar() -> str:
    from django.contrib.staticfiles.storage import staticfiles_storage

    return staticfiles_storage.url("viewflow/img/user.png")


def avatar_url(user) -> str:
    """The picture in the menu's header (viewflow's ``user_avatar_url`` filter, on every page):
    viewflow's default picture for everyone. viewflow would look for ``avatars/<pk>.png`` among the
    uploads and keep the answer in the cache, a cache round trip on every page, but the product
    takes no pictures (viewflow's profile view is off) and serves no upload by its path."""
    return _default_avatar()


def connect() -> None:
    """Any change that can change someone's permission set moves the version; the menu's picture
    is the default one without a lookup (``avatar_url``)."""
    from viewflow.contrib import auth as viewflow_auth

    viewflow_auth.get_user_avatar_url = avatar_url  # what viewflow's template filter calls
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group, Permission
    from django.db.models.signals import m2m_changed, post_delete, post_save

    user = get_user_model()
    for through in (user.groups.through, user.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(permissions_changed, sender=through, dispatch_uid=f"kinerja-perms-{through.__name__}")
    for model in (Group, Permission):
        post_save.connect(permissions_changed, sender=model, dispatch_uid=f"kinerja-perms-save-{model.__name__}")
        post_delete.connect(permissions_changed, sender=model, dispatch_uid=f"kinerja-perms-delete-{model.__name__}")
