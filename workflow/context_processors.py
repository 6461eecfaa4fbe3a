"""Template context: the counts the menu shows (unread notifications, tasks in the inbox and the
queue), computed once per request and only when a page shows them."""

from django.utils.functional import SimpleLazyObject

from .selectors.inbox import task_counts
from .services.notify import unread_count


def notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"kinerja_unread": 0, "kinerja_tasks": {}}
    return {
        "kinerja_unread": SimpleLazyObject(lambda: unread_count(user)),
        "kinerja_tasks": SimpleLazyObject(lambda: task_counts(user=user)),
    }
