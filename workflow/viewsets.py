"""The product's applications inside the viewflow Site."""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from viewflow.urls import Application
from viewflow.workflow.flow import FlowAppViewset

from .flows import AppealFlow, AppraisalFlow, CapaianFlow, KalibrasiFlow
from .views import (
    admin_pages,
    appeal,
    audit,
    capaian,
    dashboard,
    dokumen,
    files,
    flow_pages,
    inbox,
    kalibrasi,
    pages,
    suggestion,
    tpp,
)


class ScopedFlowViewset(FlowAppViewset):
    """viewflow's pages of one flow with the product's lists, chart and dashboard; each flow names
    its own scoped queue, lists and process page. Its pages show the product's menu (one inbox
    across the flows, issue 17), not viewflow's per-flow menu with its own inbox and queue counts."""

    menu_template_name = "workflow/menu.html"
    inbox_view_class = flow_pages.InboxView
    archive_view_class = flow_pages.ArchiveView
    dashboard_view_class = flow_pages.DashboardRedirectView
    chart_view_class = flow_pages.ScopedChartView
    tasks_assign_view_class = flow_pages.BulkAssignView
    tasks_unassign_view_class = flow_pages.BulkUnassignView

    def get_context_data(self, request):
        # viewflow puts the flow's inbox and queue (two querysets built on every page of the flow)
        # into each page's context for its own menu's counts; the product's menu shows its own
        return {}


class AppraisalViewset(ScopedFlowViewset):
    """Inbox, queue and archive of appraisal tasks, and the appraisal pages."""

    icon = "assignment_turned_in"
    queue_view_class = flow_pages.ScopedQueueView
    process_list_view_class = flow_pages.ScopedProcessListView
    task_list_view_class = flow_pages.ScopedTaskListView
    process_detail_view_class = flow_pages.AppraisalDetailView


class KinerjaApp(Application):
    """The employee's own position, the assessor's team and the admin's pages."""

    title = _("Performance")
    icon = "assignment_ind"
    app_name = "kinerja"
    menu_template_name = "workflow/menu.html"

    index_path = path("", inbox.HomeView.as_view(), name="index")
    my_skp_path = path("skp-saya/", inbox.MySkpView.as_view(), name="my_skp")
    # One inbox, queue and archive across the flows (each flow's own lists stay at /<flow>/inbox/...).
    inbox_path = path("kotak-masuk/", inbox.TaskListPage.as_view(kind="inbox"), name="inbox")
    queue_path = path("antrian/", inbox.TaskListPage.as_view(kind="queue"), name="queue")
    archive_path = path("arsip/", inbox.TaskListPage.as_view(kind="archive"), name="archive")
    open_tasks_path = path("tugas-terbuka/", inbox.OpenTasksView.as_view(), name="open_tasks")
    pegawai_search_path = path("cari-pegawai/", inbox.PegawaiAutocompleteView.as_view(), name="pegawai_autocomplete")
    profile_path = path("profil/", pages.ProfileView.as_view(), name="profile")
    team_path = path("tim/", pages.TeamView.as_view(), name="team")
    rekap_path = path("rekap/", admin_pages.RekapView.as_view(), name="rekap")
    results_path = path("hasil/", admin_pages.ResultsView.as_view(), name="results")
    rekap_unit_path = path("rekap/unit/<int:unit_pk>/", dashboard.UnitProgressView.as_view(), name="rekap_unit")
    charts_path = path("grafik/", dashboard.ChartsView.as_view(), name="charts")
    rekap_versi_path = path("rekap/versi/", admin_pages.ScoredByVersionView.as_view(), name="rekap_versi")
    open_path = path("buka-periode/", admin_pages.OpenPeriodView.as_view(), name="open_period")
    capaian_start_path = path("capaian/", admin_pages.CapaianStartView.as_view(), name="capaian_start")
    kalibrasi_list_path = path("kalibrasi/", kalibrasi.KalibrasiListView.as_view(), name="kalibrasi_list")
    kalibrasi_path = path(
        "kalibrasi/<int:periode_pk>/<int:unit_pk>/", kalibrasi.KalibrasiView.as_view(), name="kalibrasi"
    )
    open_status_path = path(
        "buka-periode/<int:job_pk>/", admin_pages.OpenPeriodStatusView.as_view(), name="open_period_status"
    )
    suggest_path = path("saran/<int:skp_pk>/", suggestion.SuggestView.as_view(), name="suggest")
    appeal_path = path("keberatan/<int:skp_pk>/", appeal.AppealFileView.as_view(), name="appeal_file")
    overdue_path = path("terlambat/", admin_pages.OverdueView.as_view(), name="overdue")
    mutasi_path = path("mutasi/", admin_pages.MutasiView.as_view(), name="mutasi")
    delegation_path = path("delegasi/", pages.DelegationView.as_view(), name="delegation")
    notifications_path = path("notifikasi/", pages.NotificationsView.as_view(), name="notifications")
    timeline_path = path("riwayat/<int:skp_pk>/", audit.TimelineView.as_view(), name="timeline")
    audit_path = path("audit/", audit.AuditSearchView.as_view(), name="audit_search")
    rule_admins_path = path("admin-aturan/", admin_pages.RuleAdminsView.as_view(), name="rule_admins")
    api_tokens_path = path("token-api/", admin_pages.ApiTokenView.as_view(), name="api_tokens")
    api_token_revoke_path = path(
        "token-api/<int:pk>/cabut/", admin_pages.ApiTokenRevokeView.as_view(), name="api_token_revoke"
    )
    holidays_path = path("hari-libur/", admin_pages.HolidaysView.as_view(), name="holidays")
    tpp_path = path("tpp/", tpp.TppExportView.as_view(), name="tpp_export")
    evidence_path = path("berkas/bukti/<int:pk>/", files.EvidenceFileView.as_view(), name="evidence_file")
    attachment_path = path("berkas/keberatan/<int:pk>/", files.AppealAttachmentView.as_view(), name="appeal_attachment")
    dokumen_path = path("dokumen/<int:skp_pk>/<str:jenis>/", dokumen.DokumenView.as_view(), name="dokumen")
    dokumen_review_path = path(
        "dokumen/<int:skp_pk>/<str:jenis>/<int:evaluasi_pk>/", dokumen.DokumenView.as_view(), name="dokumen"
    )
    paket_path = path("dokumen/paket/", dokumen.PaketView.as_view(), name="dokumen_paket")
    paket_status_path = path("dokumen/paket/<int:pk>/", dokumen.PaketStatusView.as_view(), name="dokumen_paket_status")
    paket_download_path = path(
        "dokumen/paket/<int:pk>/unduh/", dokumen.PaketDownloadView.as_view(), name="dokumen_paket_unduh"
    )


class AppealViewset(ScopedFlowViewset):
    """Inbox of appeal tasks and the appeal pages."""

    icon = "gavel"
    queue_view_class = flow_pages.ScopedAppealQueueView
    process_list_view_class = flow_pages.ScopedAppealListView
    task_list_view_class = flow_pages.ScopedAppealTaskListView
    process_detail_view_class = flow_pages.AppealDetailView


class CapaianViewset(ScopedFlowViewset):
    """Inbox of organisation-achievement tasks (the leaders above the units) and their pages."""

    icon = "leaderboard"
    queue_view_class = flow_pages.ScopedCapaianQueueView
    process_list_view_class = flow_pages.ScopedCapaianListView
    task_list_view_class = flow_pages.ScopedCapaianTaskListView
    process_detail_view_class = capaian.CapaianDetailView


class KalibrasiViewset(ScopedFlowViewset):
    """Inbox of calibration tasks (the heads of the units at the distribution level) and their pages."""

    icon = "tune"
    queue_view_class = flow_pages.ScopedKalibrasiQueueView
    process_list_view_class = flow_pages.ScopedKalibrasiListView
    task_list_view_class = flow_pages.ScopedKalibrasiTaskListView


appraisal_viewset = AppraisalViewset(AppraisalFlow)
appeal_viewset = AppealViewset(AppealFlow)
capaian_viewset = CapaianViewset(CapaianFlow)
kalibrasi_viewset = KalibrasiViewset(KalibrasiFlow)
