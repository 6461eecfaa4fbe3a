"""The product's main application inside the viewflow Site."""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from viewflow.urls import Application

from . import views


class KinerjaApp(Application):
    """Inbox, the employee's own organisation profile and (for assessors) the team."""

    title = _("Performance")
    icon = "assignment_ind"
    app_name = "kinerja"
    menu_template_name = "workflow/menu.html"

    inbox_path = path("inbox/", views.InboxView.as_view(), name="inbox")
    profile_path = path("profil/", views.ProfileView.as_view(), name="profile")
    team_path = path("tim/", views.TeamView.as_view(), name="team")
