"""URL configuration: one viewflow Site holding the product's applications."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from viewflow.contrib.auth import AuthViewset
from viewflow.urls import Site

from rules.viewsets import RulesApp
from workflow.viewsets import KinerjaApp

site = Site(
    title="Kinerja",
    viewsets=[KinerjaApp(), RulesApp()],
)

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="kinerja:inbox", permanent=False), name="home"),
    path("accounts/", AuthViewset(with_profile_view=False).urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", site.urls),
]
