"""Template context: the unread notification count shown in the menu."""

from .services.notify import unread_count


def notifications(request):
    return {"kinerja_unread": unread_count(request.user) if hasattr(request, "user") else 0}
