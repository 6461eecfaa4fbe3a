"""URL configuration: one viewflow Site holding the product's applications."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from viewflow.contrib.auth import AuthViewset
from viewflow.urls import Site

from rules.viewsets import RulesApp
from workflow.sso import SsoCallbackView, SsoLoginView, SsoLogoutView, SsoStartView
from workflow.views.dokumen import VerifikasiView
from workflow.viewsets import KinerjaApp, appeal_viewset, appraisal_viewset, capaian_viewset, kalibrasi_viewset

site = Site(
    title="Kinerja",
    menu_template_name="workflow/site_menu.html",
    viewsets=[appraisal_viewset, appeal_viewset, capaian_viewset, kalibrasi_viewset, KinerjaApp(), RulesApp()],
)

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="kinerja:index", permanent=False), name="home"),
    path(
        "accounts/",
        AuthViewset(
            with_profile_view=False, login_view=SsoLoginView.as_view(), logout_view=SsoLogoutView.as_view()
        ).urls,
    ),
    # Single sign-on (workflow.sso): both answer 404 unless KINERJA_OIDC_CLIENT_ID is set.
    path("oidc/authenticate/", SsoStartView.as_view(), name="oidc_authentication_init"),
    path("oidc/callback/", SsoCallbackView.as_view(), name="oidc_authentication_callback"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("workflow.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # Public (no login): what a printed document's QR code and code lead to.
    path("verifikasi/", VerifikasiView.as_view(), name="verifikasi_form"),
    path("verifikasi/<str:kode>/", VerifikasiView.as_view(), name="verifikasi"),
    path("", site.urls),
]

# No route serves MEDIA_ROOT, not even with DEBUG on: uploaded files go out only through the
# permission-checked views of workflow.views.files.

# Error pages in the product's frame (project/errors.py); the 500 page is Django's own handler
# rendering project/templates/500.html.
handler403 = "project.errors.permission_denied"
handler404 = "project.errors.page_not_found"
