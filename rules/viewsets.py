"""The rules editor as an application of the viewflow Site (menu "Aturan penilaian")."""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from viewflow.urls import Application

from . import views


class RulesApp(Application):
    """Rule sets, versions, the table grid, test cases, coba, diff, simulation, publish, retire."""

    title = _("Scoring rules")
    icon = "rule"
    app_name = "aturan"
    menu_template_name = "rules/menu.html"
    permission = views.PERMISSION  # hides the menu entry; every view also answers 403 by itself

    rule_sets_path = path("", views.RuleSetListView.as_view(), name="rule_sets")
    version_path = path("versi/<int:pk>/", views.VersionDetailView.as_view(), name="version")
    copy_path = path("versi/<int:pk>/salin/", views.VersionCopyView.as_view(), name="copy")
    publish_path = path("versi/<int:pk>/terbitkan/", views.VersionPublishView.as_view(), name="publish")
    retire_path = path("versi/<int:pk>/pensiunkan/", views.VersionRetireView.as_view(), name="retire")
    diff_path = path("versi/<int:pk>/banding/", views.DiffView.as_view(), name="diff")
    simulate_path = path("versi/<int:pk>/simulasi/", views.SimulateView.as_view(), name="simulate")
    table_path = path("tabel/<int:pk>/", views.TableView.as_view(), name="table")
    try_path = path("tabel/<int:pk>/coba/", views.TryView.as_view(), name="try")
    tests_path = path("tabel/<int:pk>/uji/", views.TestCasesView.as_view(), name="tests")
