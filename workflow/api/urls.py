"""Routes of /api/v1/. Every view is reachable without the product's login redirect (the API
answers 401 in JSON itself)."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path, re_path

from . import schema, views  # noqa: F401 - schema registers the authentication extensions

app_name = "api"


def open_(view):
    return login_not_required(view)


urlpatterns = [
    # The schema and its Swagger UI, for whoever may use the API: signed in, or holding a token (an
    # integration's too). The UI's assets come from the product's static files (drf-spectacular-sidecar)
    # and its start-up script is a separate file: no inline script, so the Content-Security-Policy holds.
    path("schema/", open_(views.SchemaView.as_view()), name="schema"),
    path("docs/", open_(views.DocsView.as_view(url_name="api:schema")), name="docs"),
    path("me/", open_(views.MeView.as_view()), name="me"),
    path("tasks/", open_(views.TaskListView.as_view()), name="tasks"),
    path("tasks/<int:pk>/", open_(views.TaskDetailView.as_view()), name="task"),
    path("appraisals/", open_(views.AppraisalListView.as_view()), name="appraisals"),
    path("appraisals/<int:pk>/", open_(views.AppraisalDetailView.as_view()), name="appraisal"),
    path("results/", open_(views.ResultListView.as_view()), name="results"),
    path("tpp/", open_(views.TppView.as_view()), name="tpp"),
    path("progress/", open_(views.ProgressView.as_view()), name="progress"),
    path("rules/", open_(views.RuleSetListView.as_view()), name="rule_sets"),
    path("rules/<str:key>/versions/<int:number>/", open_(views.RuleVersionView.as_view()), name="rule_version"),
    path("rules/<str:key>/evaluate/", open_(views.RuleEvaluateView.as_view()), name="rule_evaluate"),
    path("audit-events/", open_(views.AuditEventListView.as_view()), name="audit_events"),
    # Anything else under /api/v1/ is a JSON 404, not the product's HTML page.
    re_path(r"^", open_(views.NotFoundView.as_view())),
]
