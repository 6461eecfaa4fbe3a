"""The named system user recorded as the actor of commands, timers and background tasks."""

from django.contrib.auth import get_user_model

from project.memo import memoized

SYSTEM_USERNAME = "sistem"


def system_user():
    """Return (creating once) the inactive account that stands for the system itself (looked up
    once per step or page: ``project.memo``)."""
    return memoized("system_user", _system_user)


def _system_user():
    user, created = get_user_model().objects.get_or_create(
        username=SYSTEM_USERNAME, defaults={"first_name": "Sistem Kinerja", "is_active": False}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user
