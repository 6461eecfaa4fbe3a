"""The appraisal lifecycle as a viewflow process (declarative: nodes name the views, predicates
and services they call; the logic lives in services and selectors)."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow

from .models import (
    AppealProcess,
    AppraisalProcess,
    CapaianProcess,
    JenisJendela,
    KalibrasiProcess,
    Keberatan,
    Skp,
    StatusSkp,
)
from .nodes import (
    AppealDecisionView,
    AppraisalView,
    AssessorView,
    AuditedCancel,
    CapaianView,
    Function,
    Handle,
    If,
    KalibrasiView,
    StartHandle,
    Switch,
    Timer,
)
from .selectors.appraisal import (
    can_view_appeal,
    can_view_skp,
    current_window,
    skp_for_publication,
    window_opens_at,
)
from .selectors.capaian import can_view_penetapan, capaian_leader
from .selectors.kalibrasi import calibration_required, calibrator_of, can_view_tugas
from .selectors.org import admin_instansi_ids, org_snapshot
from .selectors.scoring import result_may_be_published
from .services import deadlines
from .services.appeal import appeal_deadline
from .services.kalibrasi import kalibrasi_task_open
from .services.scoring import appraisal_finalise, appraisal_publish, appraisal_score, scoring_run_of
from .services.tasks import FlowLock
from .views import capaian as capaian_views
from .views import kalibrasi as kalibrasi_views
from .views import steps as task_views

# Inbox rows name the employee whose appraisal the task belongs to (the due date has its own column).
SUMMARY = "{{ process.skp.pegawai.nama }} — {{ process.skp.pegawai.nip|default:'' }}"
APPEAL_SUMMARY = "{{ process.keberatan.skp.pegawai.nama }} — {{ process.keberatan.skp.pegawai.nip|default:'' }}"


class AppraisalFlow(AuditedCancel, flow.Flow):
    """Penilaian kinerja pegawai

    One employee's appraisal for one period: plan (SKP), approval, periodic reviews, the annual
    review, scoring by the published rules, the distribution check and publication.
    """

    process_class = AppraisalProcess
    lock_impl = FlowLock()  # viewflow's select_for_update_lock, without locking a row being created
    # A step's page reads the task with its holder, the appraisal, its employee (and government),
    # assessor and period: the permission checks and the page ask for them (``nodes.safe_task_view``)
    task_page_related = (
        "owner",
        "process__skp__pegawai__instansi",
        "process__skp__penilai",
        "process__skp__periode",
    )
    process_title = _("Employee performance appraisal")
    process_summary_template = "{{ process.skp.pegawai.nama }} — {{ process.skp.get_status_display }}"

    start = StartHandle(this.start_appraisal).Annotation(title=_("Appraisal opened")).Next(this.draft_plan)

    draft_plan = (
        AppraisalView(task_views.PlanDraftView.as_view())
        .Annotation(
            title=_("Draft the SKP"),
            description=_("The employee drafts the performance plan."),
            summary_template=SUMMARY,
        )
        .Assign(this.employee_user)
        .Deadline(deadlines.plan_deadline)
        .Permission("workflow.manage_appraisal")
        .Next(this.approve_plan)
    )
    approve_plan = (
        AssessorView(task_views.PlanApproveView.as_view())
        .Annotation(
            title=_("Approve the SKP"),
            description=_("The assessor approves or returns the plan."),
            summary_template=SUMMARY,
        )
        .Assign(this.assessor_user)
        .Deadline(deadlines.standard_deadline)
        .Permission("workflow.manage_appraisal")
        .Next(this.plan_approved)
    )
    plan_approved = (
        If(this.is_plan_approved).Annotation(title=_("Plan approved?")).Then(this.next_review).Else(this.draft_plan)
    )
    next_review = (
        Switch()
        .Annotation(title=_("Which review is next?"))
        .Case(this.self_review, this.periodic_window_is_open)
        .Case(this.wait_periodic_window, this.periodic_window_is_ahead)
        .Case(this.final_self_review, this.final_window_is_open)
        .Default(this.wait_final_window)
    )
    wait_periodic_window = (
        Timer(this.review_window_opens).Annotation(title=_("Wait for the review window")).Next(this.self_review)
    )
    self_review = (
        AppraisalView(task_views.SelfReviewView.as_view())
        .Annotation(
            title=_("Periodic self-review"),
            description=_("The employee reports achievements."),
            summary_template=SUMMARY,
        )
        .Assign(this.employee_user)
        .Deadline(deadlines.periodic_review_deadline)
        .Permission("workflow.manage_appraisal")
        .Next(this.review)
    )
    review = (
        AssessorView(task_views.ReviewView.as_view())
        .Annotation(
            title=_("Periodic review"),
            description=_("The assessor gives feedback and interim ratings."),
            summary_template=SUMMARY,
        )
        .Assign(this.assessor_user)
        .Deadline(deadlines.periodic_review_deadline)
        .Permission("workflow.manage_appraisal")
        .Next(this.next_review)
    )
    wait_final_window = (
        Timer(this.review_window_opens)
        .Annotation(title=_("Wait for the annual review window"))
        .Next(this.final_self_review)
    )
    final_self_review = (
        AppraisalView(task_views.FinalSelfReviewView.as_view())
        .Annotation(
            title=_("Annual self-review"),
            description=_("The employee submits final achievements."),
            summary_template=SUMMARY,
        )
        .Assign(this.employee_user)
        .Deadline(deadlines.annual_review_deadline)
        .Permission("workflow.manage_appraisal")
        .Next(this.final_review)
    )
    final_review = (
        AssessorView(task_views.FinalReviewView.as_view())
        .Annotation(
            title=_("Annual review"),
            description=_("The assessor rates every RHK and behaviour value."),
            summary_template=SUMMARY,
        )
        .Assign(this.assessor_user)
        .Deadline(deadlines.annual_review_deadline)
        .Permission("workflow.manage_appraisal")
        .Next(this.score)
    )
    score = Function(this.score_appraisal).Annotation(title=_("Score by the rules")).Next(this.needs_calibration)
    needs_calibration = (
        If(this.calibration_required)
        .Annotation(title=_("Published after the unit's calibration?"))
        .Then(this.open_calibration)
        .Else(this.distribution_ok)
    )
    # The unit's calibration task in its head's inbox (``KalibrasiFlow``), unless one is open.
    open_calibration = (
        Function(this.calibration_task_open)
        .Annotation(title=_("Open the unit's calibration task"))
        .Next(this.wait_calibration)
    )
    # Released by the unit's calibration (``services.kalibrasi.kalibrasi_publish``), for the whole unit at once.
    wait_calibration = (
        Handle(this.calibration_released).Annotation(title=_("Wait for the unit's calibration")).Next(this.publish)
    )
    distribution_ok = (
        If(this.distribution_allows)
        .Annotation(title=_("Distribution pattern respected?"))
        .Then(this.publish)
        .Else(this.final_review)
    )
    publish = Function(this.publish_result).Annotation(title=_("Publish the result")).Next(this.appeal_window)
    appeal_window = (
        Timer(this.appeal_window_closes).Annotation(title=_("Appeal window (keberatan)")).Next(this.finalise)
    )
    finalise = Function(this.finalise_result).Annotation(title=_("Result final")).Next(this.finalised)
    finalised = flow.End().Annotation(title=_("Finished"))

    # --- handlers and predicates ------------------------------------------------------------

    def start_appraisal(self, activation, skp: Skp, by=None):
        # Link in memory only: viewflow saves the process once, and the caller then inserts the SKP
        # pointing at it (see services.appraisal.appraisal_open), so each is written once.
        activation.process.skp = skp
        return activation.process

    def employee_user(self, activation):
        return activation.process.skp.pegawai.user

    def assessor_user(self, activation):
        # The SKP's own snapshot of its assessor routes the task (see ``OrgSnapshot.skp_assessor``).
        skp = activation.process.skp
        assessor = org_snapshot(skp.pegawai.instansi_id).skp_assessor(skp)
        return assessor.user if assessor is not None and assessor.user_id else None

    def is_plan_approved(self, activation) -> bool:
        return activation.process.skp.status == StatusSkp.DISETUJUI

    def _next_window(self, activation):
        """The review window the appraisal is heading to: the first periodic window not yet
        reviewed, else the annual one (memoised on the activation: the Switch asks several times)."""
        if not hasattr(activation, "_kinerja_window"):
            skp = activation.process.skp
            activation._kinerja_window = current_window(skp, kind=JenisJendela.PERIODIK) or current_window(
                skp, kind=JenisJendela.AKHIR
            )
        return activation._kinerja_window

    def _window_open(self, activation, kind) -> bool:
        window = self._next_window(activation)
        return window.jenis == kind and window.dibuka <= timezone.localdate()

    def periodic_window_is_open(self, activation) -> bool:
        return self._window_open(activation, JenisJendela.PERIODIK)

    def periodic_window_is_ahead(self, activation) -> bool:
        window = self._next_window(activation)
        return window.jenis == JenisJendela.PERIODIK and window.dibuka > timezone.localdate()

    def final_window_is_open(self, activation) -> bool:
        return self._window_open(activation, JenisJendela.AKHIR)

    def review_window_opens(self, activation):
        return window_opens_at(self._next_window(activation))

    # Scoring, the distribution gate, publication and the appeal window follow the annual review
    # in its transaction: each node takes the review's scoring run (``services.scoring``).

    def score_appraisal(self, activation):
        skp = activation.process.skp
        appraisal_score(skp=skp, run=scoring_run_of(skp))

    def calibration_required(self, activation) -> bool:
        return calibration_required(activation.process.skp)

    def calibration_task_open(self, activation):
        kalibrasi_task_open(skp=activation.process.skp)

    def calibration_released(self, activation, **kwargs):
        # The publication that follows reads the result, the period and the employee: one query.
        activation.process.skp = skp_for_publication(activation.process.pk)
        return activation.process

    def distribution_allows(self, activation) -> bool:
        return result_may_be_published(activation.process.skp)

    def publish_result(self, activation):
        skp = activation.process.skp
        appraisal_publish(skp=skp, run=scoring_run_of(skp), flow_class=activation.flow_class)

    def appeal_window_closes(self, activation):
        skp = activation.process.skp
        return appeal_deadline(skp, scoring_run_of(skp).rules)

    def finalise_result(self, activation):
        appraisal_finalise(skp=activation.process.skp)

    # --- object permissions --------------------------------------------------------------------

    def has_view_permission(self, user, obj=None):
        if not user.is_authenticated:
            return False
        if obj is None:
            return True
        skp = getattr(obj, "skp", None)
        return skp is not None and can_view_skp(user, skp)

    def has_manage_permission(self, user, obj=None):
        if not user.is_authenticated:
            return False
        if obj is None:
            return user.is_superuser
        skp = getattr(obj, "skp", None)
        return skp is not None and skp.pegawai.instansi_id in admin_instansi_ids(user)


class AppealFlow(AuditedCancel, flow.Flow):
    """Keberatan

    An employee's appeal against a published result: the assessor responds, the assessor's
    superior decides, finally (PP 30/2019 art. 59).
    """

    process_class = AppealProcess
    lock_impl = FlowLock()  # viewflow's select_for_update_lock, without locking a row being created
    process_title = _("Appeal (keberatan)")
    process_summary_template = "{{ process.keberatan.skp.pegawai.nama }} — {{ process.keberatan.get_status_display }}"

    start = flow.StartHandle(this.start_appeal).Annotation(title=_("Appeal filed")).Next(this.respond)
    respond = (
        AssessorView(task_views.AppealRespondView.as_view())
        .Annotation(
            title=_("Respond to the appeal"),
            description=_("The assessor answers the employee's appeal."),
            summary_template=APPEAL_SUMMARY,
        )
        .Assign(this.assessor_user)
        .Deadline(deadlines.appeal_response_deadline)
        .Permission("workflow.manage_appraisal")
        .OnTimeout(this.response_due, this.decide, title=_("No response in time"))
        .Next(this.decide)
    )
    decide = (
        AppealDecisionView(task_views.AppealDecideView.as_view())
        .Annotation(
            title=_("Decide the appeal"),
            description=_("The assessor's superior decides, finally."),
            summary_template=APPEAL_SUMMARY,
        )
        .Assign(this.handler_user)
        .Deadline(deadlines.appeal_decision_deadline)
        .Permission("workflow.manage_appraisal")
        .Next(this.decided)
    )
    decided = flow.End().Annotation(title=_("Appeal decided"))

    def start_appeal(self, activation, keberatan: Keberatan):
        activation.process.save()
        keberatan.process = activation.process
        keberatan.save(update_fields=["process"])
        return activation.process

    def assessor_user(self, activation):
        penanggap = activation.process.keberatan.penanggap
        return penanggap.user if penanggap is not None and penanggap.user_id else None

    def handler_user(self, activation):
        pemutus = activation.process.keberatan.pemutus
        return pemutus.user if pemutus is not None and pemutus.user_id else None

    def response_due(self, activation):
        keberatan = activation.process.keberatan
        return deadlines.appeal_days_from(keberatan, timezone.now(), settings.KINERJA_APPEAL_RESPONSE_DAYS)

    def _skp(self, obj):
        keberatan = getattr(obj, "keberatan", None)
        return keberatan.skp if keberatan is not None else None

    def has_view_permission(self, user, obj=None):
        if not user.is_authenticated:
            return False
        if obj is None:
            return True
        keberatan = getattr(obj, "keberatan", None)
        return keberatan is not None and can_view_appeal(user, keberatan)

    def has_manage_permission(self, user, obj=None):
        if not user.is_authenticated:
            return False
        if obj is None:
            return user.is_superuser
        skp = self._skp(obj)
        return skp is not None and skp.pegawai.instansi_id in admin_instansi_ids(user)


# --- the organisation's achievement (capaian kinerja organisasi) -------------------------------

CAPAIAN_SUMMARY = "{{ process.penetapan_capaian.unit.nama }} — {{ process.penetapan_capaian.periode.tahun }}"


class CapaianFlow(AuditedCancel, flow.Flow):
    """Capaian kinerja organisasi

    One unit's organisation predikat for one period, set at the end of the period by the leader
    above the unit (SE MenPANRB 3/2023); it selects the distribution pattern of the unit's
    employees. Started from code (``services.capaian``); node names are a stable API.
    """

    process_class = CapaianProcess
    lock_impl = FlowLock()  # viewflow's select_for_update_lock, without locking a row being created
    process_title = _("Organisation achievement")
    process_summary_template = CAPAIAN_SUMMARY

    start = flow.StartHandle(this.start_capaian).Annotation(title=_("Task opened")).Next(this.set_achievement)
    set_achievement = (
        CapaianView(capaian_views.CapaianSetView.as_view())
        .Annotation(
            title=_("Set the organisation's performance achievement"),
            description=_("The leader above the unit sets its organisation predikat."),
            summary_template=CAPAIAN_SUMMARY,
        )
        .Assign(this.leader_user)
        .Deadline(deadlines.capaian_deadline)
        .Permission("workflow.manage_appraisal")
        .Next(this.achievement_set)
    )
    achievement_set = flow.End().Annotation(title=_("Achievement set"))

    def start_capaian(self, activation, penetapan):
        # Link in memory only: viewflow saves the process once, and the caller then inserts the
        # task row pointing at it (see services.capaian.capaian_open).
        activation.process.penetapan_capaian = penetapan
        return activation.process

    def leader_user(self, activation):
        unit = activation.process.penetapan_capaian.unit
        leader = capaian_leader(org_snapshot(unit.instansi_id), unit)
        return leader.user if leader is not None and leader.user_id else None

    def has_view_permission(self, user, obj=None):
        if not user.is_authenticated:
            return False
        if obj is None:
            return True
        penetapan = getattr(obj, "penetapan_capaian", None)
        return penetapan is not None and can_view_penetapan(user, penetapan)

    def has_manage_permission(self, user, obj=None):
        if not user.is_authenticated:
            return False
        if obj is None:
            return user.is_superuser
        penetapan = getattr(obj, "penetapan_capaian", None)
        return penetapan is not None and penetapan.unit.instansi_id in admin_instansi_ids(user)


# --- the calibration of a unit's results (kalibrasi) -------------------------------------------

KALIBRASI_SUMMARY = (
    "{{ process.tugas_kalibrasi.kalibrasi.unit.nama }} — {{ process.tugas_kalibrasi.kalibrasi.periode.tahun }}"
)


class KalibrasiFlow(AuditedCancel, flow.Flow):
    """Kalibrasi

    One unit's calibration before publication (``kebijakan.publikasi: setelah_kalibrasi``): opened
    when the first scored result of the unit waits (``AppraisalFlow.open_calibration``), in the
    inbox of the unit's head at the distribution level; the task opens the calibration page, and
    the unit's publication there completes it (``services.kalibrasi.kalibrasi_publish``). Started
    from code; node names are a stable API.
    """

    process_class = KalibrasiProcess
    lock_impl = FlowLock()  # viewflow's select_for_update_lock, without locking a row being created
    process_title = _("Calibration")
    process_summary_template = KALIBRASI_SUMMARY

    start = flow.StartHandle(this.start_kalibrasi).Annotation(title=_("Task opened")).Next(this.calibrate)
    calibrate = (
        KalibrasiView(kalibrasi_views.KalibrasiTaskView.as_view())
        .Annotation(
            title=_("Calibrate and publish the unit's results"),
            description=_("The unit's head checks the results against the distribution pattern and publishes them."),
            summary_template=KALIBRASI_SUMMARY,
        )
        .Assign(this.calibrator_user)
        .Permission("workflow.manage_appraisal")
        .Next(this.published)
    )
    published = flow.End().Annotation(title=_("Unit published"))

    def start_kalibrasi(self, activation, tugas):
        # Link in memory only: the caller inserts the task row pointing at the process
        # (see services.kalibrasi.kalibrasi_task_open).
        activation.process.tugas_kalibrasi = tugas
        return activation.process

    def calibrator_user(self, activation):
        head = calibrator_of(activation.process.tugas_kalibrasi.kalibrasi.unit)
        return head.user if head is not None and head.user_id else None

    def has_view_permission(self, user, obj=None):
        if not user.is_authenticated:
            return False
        if obj is None:
            return True
        tugas = getattr(obj, "tugas_kalibrasi", None)
        return tugas is not None and can_view_tugas(user, tugas)

    def has_manage_permission(self, user, obj=None):
        if not user.is_authenticated:
            return False
        if obj is None:
            return user.is_superuser
        tugas = getattr(obj, "tugas_kalibrasi", None)
        return tugas is not None and tugas.kalibrasi.unit.instansi_id in admin_instansi_ids(user)
