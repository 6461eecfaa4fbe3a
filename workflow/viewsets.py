"""The product's applications inside the viewflow Site."""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from viewflow.urls import Application
from viewflow.workflow.flow import FlowAppViewset

from .flows import AppealFlow, AppraisalFlow
from .views import audit as audit_views
from .views import files as file_views
from .views import flow_pages as flow_views
from .views import pages as views


class ScopedFlowViewset(FlowAppViewset):
    """viewflow's pages of one flow with the product's lists, chart and dashboard; each flow names
    its own scoped queue, lists and process page."""

    inbox_view_class = flow_views.InboxView
    archive_view_class = flow_views.ArchiveView
    dashboard_view_class = flow_views.DashboardRedirectView
    chart_view_class = flow_views.ScopedChartView
    tasks_assign_view_class = flow_views.BulkAssignView
    tasks_unassign_view_class = flow_views.BulkUnassignView


class AppraisalViewset(ScopedFlowViewset):
    """Inbox, queue and archive of appraisal tasks, and the appraisal pages."""

    icon = "assignment_turned_in"
    queue_view_class = flow_views.ScopedQueueView
    process_list_view_class = flow_views.ScopedProcessListView
    task_list_view_class = flow_views.ScopedTaskListView
    process_detail_view_class = flow_views.AppraisalDetailView


class KinerjaApp(Application):
    """The employee's own position, the assessor's team and the admin's pages."""

    title = _("Performance")
    icon = "assignment_ind"
    app_name = "kinerja"
    menu_template_name = "workflow/menu.html"

    index_path = path("", views.HomeView.as_view(), name="index")
    profile_path = path("profil/", views.ProfileView.as_view(), name="profile")
    team_path = path("tim/", views.TeamView.as_view(), name="team")
    rekap_path = path("rekap/", views.RekapView.as_view(), name="rekap")
    open_path = path("buka-periode/", views.OpenPeriodView.as_view(), name="open_period")
    open_status_path = path(
        "buka-periode/<int:job_pk>/", views.OpenPeriodStatusView.as_view(), name="open_period_status"
    )
    suggest_path = path("saran/<int:skp_pk>/", views.SuggestView.as_view(), name="suggest")
    appeal_path = path("keberatan/<int:skp_pk>/", views.AppealFileView.as_view(), name="appeal_file")
    overdue_path = path("terlambat/", views.OverdueView.as_view(), name="overdue")
    delegation_path = path("delegasi/", views.DelegationView.as_view(), name="delegation")
    notifications_path = path("notifikasi/", views.NotificationsView.as_view(), name="notifications")
    timeline_path = path("riwayat/<int:skp_pk>/", audit_views.TimelineView.as_view(), name="timeline")
    audit_path = path("audit/", audit_views.AuditSearchView.as_view(), name="audit_search")
    rule_admins_path = path("admin-aturan/", views.RuleAdminsView.as_view(), name="rule_admins")
    evidence_path = path("berkas/bukti/<int:pk>/", file_views.EvidenceFileView.as_view(), name="evidence_file")
    attachment_path = path(
        "berkas/keberatan/<int:pk>/", file_views.AppealAttachmentView.as_view(), name="appeal_attachment"
    )


class AppealViewset(ScopedFlowViewset):
    """Inbox of appeal tasks and the appeal pages."""

    icon = "gavel"
    queue_view_class = flow_views.ScopedAppealQueueView
    process_list_view_class = flow_views.ScopedAppealListView
    task_list_view_class = flow_views.ScopedAppealTaskListView
    process_detail_view_class = flow_views.AppealDetailView


appraisal_viewset = AppraisalViewset(AppraisalFlow)
appeal_viewset = AppealViewset(AppealFlow)
