"""The API's resources. Reads go through the selectors with the pages' scoping; a task is acted on
through its own step page's form and service (``TaskDetailView.post``), under the flow lock, so
the API validates, refuses and records exactly as the page does."""

from __future__ import annotations

import dataclasses

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import QueryDict
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import exceptions, serializers
from rest_framework.generics import GenericAPIView
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from viewflow.workflow.exceptions import FlowLockFailed
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from rules.api import evaluate_version
from rules.errors import RuleEvaluationError
from rules.models import RuleSet, RuleSetVersion
from rules.selectors import rule_sets_with_versions, version_in_force, version_specs

from ..models import (
    ApiScope,
    ApiToken,
    Periode,
    Skp,
    Unit,
)
from ..selectors.appraisal import completion_per_opd, skp_of_task, skp_visible_to, unit_ids_of_opd
from ..selectors.audit import audit_search
from ..selectors.inbox import flow_name, product_flows
from ..selectors.org import admin_instansi_ids, pegawai_of
from ..selectors.tpp import tpp_rows, window_of_month
from ..services.api_token import api_token_label
from ..services.audit import acting_via, audit_batch, note_via
from ..services.tasks import lock_failed_message, task_already_done_message
from . import serializers as s
from .errors import ServiceRefused, from_service
from .permissions import TokenScopes, admin_scope, is_integration

ERRORS = {
    400: OpenApiResponse(description="code, message, fields"),
    401: OpenApiResponse(description="code, message"),
    403: OpenApiResponse(description="code, message"),
    404: OpenApiResponse(description="code, message"),
}
ERROR_SCHEMA = inline_serializer(
    "Error",
    {
        "code": serializers.CharField(),
        "message": serializers.CharField(),
        "fields": serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False),
        "messages": serializers.ListField(child=serializers.CharField(), required=False),
    },
)
# The body of a task action: the step form's fields (listed by GET) with their values.
_FIELD_VALUE = {"oneOf": [{"type": "string"}, {"type": "number"}, {"type": "boolean"}, {"type": "null"}]}
TASK_INPUT = {
    "type": "object",
    "additionalProperties": {"oneOf": [*_FIELD_VALUE["oneOf"], {"type": "array", "items": _FIELD_VALUE}]},
}
ERROR_RESPONSES = dict.fromkeys((400, 401, 403, 404, 405, 406, 409, 415, 429), ERROR_SCHEMA)


def responses(ok) -> dict:
    return {200: ok, **ERROR_RESPONSES}


def filters(serializer_class, request) -> dict:
    """The query parameters validated by ``serializer_class`` (a 400 with the fields otherwise)."""
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class ApiView(GenericAPIView):
    required_scope: str | None = None
    integrations_allowed = False
    serializer_class = None

    def dispatch(self, request, *args, **kwargs):
        # Audit events written by the request name the token that acted, not only its user.
        with acting_via():
            return super().dispatch(request, *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if isinstance(request.auth, ApiToken):
            note_via(api_token_label(request.auth))


class _SignedInOnly:
    """For anyone signed in or holding a token (an integration's too); a refusal is the API's JSON
    error, not a body in the view's own format (the schema's, the docs page's HTML)."""

    permission_classes = [TokenScopes]
    integrations_allowed = True

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        self.request.accepted_renderer, self.request.accepted_media_type = JSONRenderer(), "application/json"
        return response


class SchemaView(_SignedInOnly, SpectacularAPIView):
    """The OpenAPI schema."""


class DocsView(_SignedInOnly, SpectacularSwaggerSplitView):
    """Swagger UI over the schema. A browser that is not signed in (no token sent) goes to the
    sign-in page and comes back, instead of reading a JSON 401."""

    def handle_exception(self, exc):
        if isinstance(exc, exceptions.NotAuthenticated) and "HTTP_AUTHORIZATION" not in self.request.META:
            return redirect_to_login(self.request.get_full_path())
        return super().handle_exception(exc)


class NotFoundView(ApiView):
    """Every unknown address under /api/v1/: a JSON 404, whatever the method."""

    authentication_classes = []
    permission_classes = []
    throttle_classes = []

    def initial(self, request, *args, **kwargs):
        raise exceptions.NotFound()


def existing_id(pk: int) -> int:
    """A path id that fits the database's ids (a longer one names nothing: 404, not a database error)."""
    if not 0 < pk <= s.MAX_ID:
        raise exceptions.NotFound()
    return pk


# --- me --------------------------------------------------------------------------------------


class MeView(ApiView):
    """The caller: the person (or the integration) and the token in use."""

    integrations_allowed = True
    serializer_class = s.MeSerializer

    @extend_schema(responses=responses(s.MeSerializer))
    def get(self, request):
        token = request.auth if hasattr(request.auth, "scopes") else None
        token_info = (
            {"nama": token.nama, "prefix": token.prefix, "scopes": token.scopes, "kedaluwarsa": token.kedaluwarsa}
            if token is not None
            else None
        )
        if is_integration(request):
            instansi = token.instansi
            return Response(
                {
                    "username": None,
                    "nama": token.nama,
                    "nip": None,
                    "instansi": {"id": instansi.pk, "nama": instansi.nama},
                    "unit": None,
                    "jabatan": None,
                    "admin_instansi": [instansi.pk],
                    "token": token_info,
                }
            )
        user = request.user
        me = pegawai_of(user)
        return Response(
            s.MeSerializer(
                {
                    "username": user.get_username(),
                    "nama": me.nama if me else (user.get_full_name() or user.get_username()),
                    "nip": (me.nip or None) if me else None,
                    "instansi": {"id": me.instansi_id, "nama": me.instansi.nama} if me else None,
                    "unit": {"id": me.unit_id, "nama": me.unit.nama} if me else None,
                    "jabatan": me.jabatan.nama if me and me.jabatan_id else None,
                    "admin_instansi": sorted(admin_instansi_ids(user)),
                    "token": token_info,
                }
            ).data
        )


# --- tasks -----------------------------------------------------------------------------------

OPEN = [STATUS.ASSIGNED, STATUS.STARTED]


def my_tasks(user):
    """The open tasks ``user`` holds in the product's flows, with what a row shows in the same query."""
    return (
        Task.objects.filter(owner=user, status__in=OPEN, process__flow_class__in=product_flows())
        .select_related(
            "process",
            "process__skp__pegawai",
            "process__keberatan__skp__pegawai",
            "process__penetapan_capaian__unit",
            "process__tugas_kalibrasi__kalibrasi__unit",
            "process__tugas_kalibrasi__kalibrasi__periode",
            "tenggat",
        )
        .order_by("created", "pk")
    )


def _task_row(task) -> dict:
    skp = skp_of_task(task)
    tenggat = getattr(task, "tenggat", None)
    node = task.flow_task
    return {
        "id": task.pk,
        "process_id": task.process_id,
        "flow": flow_name(task.process),
        "step": node.name if node is not None else "",
        "step_title": str(node.task_title) if node is not None and node.task_title else "",
        "status": task.status,
        "created": task.created,
        "due": tenggat.jatuh_tempo if tenggat is not None else None,
        "appraisal": skp.pk if skp is not None else None,
        "pegawai": {"id": skp.pegawai_id, "nama": skp.pegawai.nama, "nip": skp.pegawai.nip or ""} if skp else None,
        "unit": {"id": unit.pk, "nama": unit.nama} if (unit := _unit_of(task)) is not None else None,
        "summary": _summary(task, skp),
    }


def _unit_of(task) -> Unit | None:
    """The unit an organisation-achievement or a calibration task is about (None for the others)."""
    penetapan = getattr(task.process, "penetapan_capaian", None)
    if penetapan is not None:
        return penetapan.unit
    tugas = getattr(task.process, "tugas_kalibrasi", None)
    return tugas.kalibrasi.unit if tugas is not None else None


def _summary(task, skp) -> str:
    """What the inbox row names: the employee (and NIP) of the appraisal, the unit of an
    organisation-achievement task, the unit and year of a calibration task."""
    if skp is not None:
        return f"{skp.pegawai.nama} — {skp.pegawai.nip or ''}".strip(" —")
    tugas = getattr(task.process, "tugas_kalibrasi", None)
    if tugas is not None:
        return f"{tugas.kalibrasi.unit.nama} — {tugas.kalibrasi.periode.tahun}"
    unit = _unit_of(task)
    return unit.nama if unit is not None else ""


class TaskListView(ApiView):
    """My open tasks across the appraisal, appeal, organisation-achievement and calibration flows,
    oldest first. A calibration or organisation-achievement task names its unit; it is done on its
    page in the product (acting on it here answers 400)."""

    required_scope = ApiScope.ACT_TASKS
    serializer_class = s.TaskSerializer

    @extend_schema(responses=responses(s.TaskSerializer(many=True)))
    def get(self, request):
        page = self.paginate_queryset(my_tasks(request.user))
        return self.get_paginated_response([_task_row(t) for t in page])


def _step_view(task):
    """The step page class of ``task``'s node, when it is a form page the API can fill."""
    node = task.flow_task
    view = getattr(getattr(node, "view", None), "view_class", None)
    if view is None or not hasattr(view, "submit") or not hasattr(view, "get_form"):
        return None
    return view


def _form_of(view_class, request, task, data=None):
    view = view_class()
    view.setup(request._request)
    request._request.activation = task.flow_task.activation_class(task)
    return view, view.get_form(data) if data is not None else view.get_form()


def _fields_of(form) -> list[dict]:
    django_form = getattr(form, "header", None) and form  # PlanForm: a header form and a formset
    forms = [form] if django_form is None else [form.header, *form.formset.forms, form.formset.management_form]
    fields = []
    for f in forms:
        for name, field in f.fields.items():
            if field.widget.input_type == "file" if hasattr(field.widget, "input_type") else False:
                continue
            choices = [str(c[0]) for c in getattr(field, "choices", [])] if hasattr(field, "choices") else None
            initial = f.initial.get(name, field.initial)
            fields.append(
                {
                    "name": f.add_prefix(name),
                    "label": str(field.label or name),
                    "required": bool(field.required),
                    "choices": choices,
                    "initial": None if initial is None else str(initial),
                }
            )
    return fields


def _as_form_data(body) -> QueryDict:
    """The JSON body (an object of the page form's field names) as the form data the page posts."""
    if not isinstance(body, dict):
        raise exceptions.ValidationError({"non_field_errors": [_("Send a JSON object of the form's fields.")]})
    data = QueryDict(mutable=True)
    for key, value in body.items():
        values = value if isinstance(value, list) else [value]
        if any(isinstance(v, dict | list) for v in values):
            raise exceptions.ValidationError({str(key): [_("Give a text, a number or a list of them.")]})
        data.setlist(str(key), ["" if v is None else ("on" if v is True else str(v)) for v in values if v is not False])
    return data


def _form_errors(form) -> dict[str, list[str]]:
    if hasattr(form, "header"):  # PlanForm
        return {"non_field_errors": [str(m) for m in form.errors()]}
    return {name: [str(m) for m in errors] for name, errors in form.errors.items()}


class TaskDetailView(ApiView):
    """One of my tasks, with the fields of its step's form (GET); acting on it (POST): the body
    is a JSON object of that form's fields, validated and saved by the page's own form and
    service — the same checks, the same messages, the same audit trail."""

    required_scope = ApiScope.ACT_TASKS
    serializer_class = s.TaskDetailSerializer

    def get_task(self, request, pk: int):
        task = my_tasks(request.user).filter(pk=existing_id(pk)).first()
        if task is None:
            raise exceptions.NotFound()
        return task

    @extend_schema(responses=responses(s.TaskDetailSerializer))
    def get(self, request, pk: int):
        task = self.get_task(request, pk)
        row = _task_row(task)
        view_class = _step_view(task)
        row["actionable"] = view_class is not None and task.flow_task.can_execute(request.user, task)
        row["fields"] = _fields_of(_form_of(view_class, request, task)[1]) if view_class is not None else []
        return Response(row)

    @extend_schema(
        request={"application/json": TASK_INPUT},
        responses={200: s.TaskDoneSerializer, **ERROR_RESPONSES},
    )
    def post(self, request, pk: int):
        data = _as_form_data(request.data)
        task = self.get_task(request, pk)
        view_class = _step_view(task)
        if view_class is None:
            raise ServiceRefused(_("This step cannot be done through the API: open it in the product."))
        flow_task = task.flow_task
        flow_class = flow_task.flow_class
        try:
            with flow_class.lock(task.process_id), transaction.atomic(savepoint=False), audit_batch():
                task = Task.objects.select_related("process").get(pk=task.pk)
                if task.status not in OPEN or task.owner_id != request.user.pk:
                    err = ServiceRefused(task_already_done_message())
                    err.status_code, err.error_code = 409, "task_done"
                    raise err
                if not flow_task.can_execute(request.user, task):
                    raise exceptions.PermissionDenied()
                view, form = _form_of(view_class, request, task, data)
                activation = request._request.activation
                activation.start(request._request)
                if not form.is_valid():
                    raise exceptions.ValidationError(_form_errors(form))
                try:
                    view.submit(form)
                except DjangoValidationError as exc:
                    raise from_service(exc) from None
                if task.status == STATUS.STARTED:  # the page's "simpan" paths leave the task open
                    activation.execute()
        except FlowLockFailed:
            err = ServiceRefused(lock_failed_message())
            err.status_code, err.error_code = 409, "locked"
            raise err from None
        return Response({"code": "ok", "message": str(view.success_message), "task": task.pk})


# --- appraisals and results ------------------------------------------------------------------


def appraisals_for(request):
    """The appraisals the caller may see: a person's as the pages scope them (own, team,
    government as admin), an integration's government's."""
    if is_integration(request):
        return Skp.objects.filter(pegawai__instansi_id=request.auth.instansi_id)
    return skp_visible_to(request.user)


def filtered_appraisals(request, qs):
    f = filters(s.AppraisalFilter, request)
    if "periode" in f:
        qs = qs.filter(periode_id=f["periode"])
    if "tahun" in f:
        qs = qs.filter(periode__tahun=f["tahun"])
    if "unit" in f:
        qs = qs.filter(unit_id=f["unit"])
    if "opd" in f:
        qs = qs.filter(unit_id__in=unit_ids_of_opd(opd_id=f["opd"]))
    if "predikat" in f:
        qs = qs.filter(hasil__predikat=f["predikat"])
    if "status" in f:
        qs = qs.filter(status=f["status"])
    return qs.order_by("-periode__tahun", "unit_nama", "pegawai__nama", "pk")


class AppraisalListView(ApiView):
    """Appraisals the caller may see, with their result when scored. Filters: period, year, OPD,
    unit, predikat, status."""

    required_scope = ApiScope.READ_RESULTS
    integrations_allowed = True
    serializer_class = s.AppraisalSerializer

    def appraisals(self, request):
        return appraisals_for(request)

    @extend_schema(parameters=[s.AppraisalFilter], responses=responses(s.AppraisalSerializer(many=True)))
    def get(self, request):
        # The page's ids first, sorted on the few columns the order needs, then those rows whole:
        # sorting a government's appraisals with every column of the employee and the result
        # attached cost most of the request (16,000 rows: 50 ms of a 65 ms query).
        ids = self.paginate_queryset(
            filtered_appraisals(request, self.appraisals(request)).values_list("pk", flat=True)
        )
        rows = Skp.objects.filter(pk__in=ids).select_related("periode", "pegawai", "hasil").in_bulk()
        return self.get_paginated_response(s.AppraisalSerializer([rows[pk] for pk in ids], many=True).data)


class ResultListView(AppraisalListView):
    """Scored appraisals (with a result) the caller may see; same filters."""

    def appraisals(self, request):
        return appraisals_for(request).filter(hasil__isnull=False)


class AppraisalDetailView(ApiView):
    """One appraisal with its result and the rules' trace."""

    required_scope = ApiScope.READ_RESULTS
    integrations_allowed = True
    serializer_class = s.AppraisalDetailSerializer

    @extend_schema(responses=responses(s.AppraisalDetailSerializer))
    def get(self, request, pk: int):
        skp = appraisals_for(request).filter(pk=existing_id(pk)).select_related("periode", "pegawai", "hasil").first()
        if skp is None:
            raise exceptions.NotFound()
        return Response(s.AppraisalDetailSerializer(skp).data)


# --- government-wide reads (admins and integrations) -------------------------------------------


def _instansi(request, wanted: int | None) -> int:
    ids = admin_scope(request)
    if not ids:
        raise exceptions.PermissionDenied(_("Only an admin of a government, or its integration, may read this."))
    if wanted is not None:
        if wanted not in ids:
            raise exceptions.NotFound()
        return wanted
    if len(ids) > 1:
        raise exceptions.ValidationError({"instansi": [_("You administer several governments: choose one.")]})
    return next(iter(ids))


def _periode(instansi_id: int, tahun: int) -> Periode:
    periode = Periode.objects.filter(instansi_id=instansi_id, tahun=tahun).first()
    if periode is None:
        raise exceptions.NotFound(_("No period of that year."))
    return periode


class TppView(ApiView):
    """Periodic predikat and TPP percentage of one month (for the payroll), optionally of one OPD."""

    required_scope = ApiScope.READ_RESULTS
    integrations_allowed = True
    serializer_class = s.TppSerializer

    @extend_schema(parameters=[s.TppFilter], responses=responses(s.TppSerializer(many=True)))
    def get(self, request):
        f = filters(s.TppFilter, request)
        instansi_id = _instansi(request, f.get("instansi"))
        periode = _periode(instansi_id, f["tahun"])
        opd = None
        if "opd" in f:
            opd = get_object_or_404(Unit, pk=f["opd"], instansi_id=instansi_id)
        if window_of_month(periode=periode, bulan=f["bulan"]) is None:
            raise exceptions.ValidationError(
                {"bulan": [_("This month is covered by the annual review: it has no periodic predikat.")]}
            )
        rows = tpp_rows(periode=periode, bulan=f["bulan"], opd=opd)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response([dataclasses.asdict(r) for r in page])


class ProgressView(ApiView):
    """Per OPD: appraisals, how many have an approved plan and a published result."""

    required_scope = ApiScope.READ_PROGRESS
    integrations_allowed = True
    serializer_class = s.ProgressSerializer

    @extend_schema(parameters=[s.ProgressFilter], responses=responses(s.ProgressSerializer(many=True)))
    def get(self, request):
        f = filters(s.ProgressFilter, request)
        periode = _periode(_instansi(request, f.get("instansi")), f["tahun"])
        rows = completion_per_opd(periode=periode)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(s.ProgressSerializer(page, many=True).data)


# --- rules -----------------------------------------------------------------------------------


class RuleSetListView(ApiView):
    """The scoring rule sets with their versions."""

    required_scope = ApiScope.READ_RESULTS
    integrations_allowed = True
    serializer_class = s.RuleSetSerializer

    def get_queryset(self):
        return rule_sets_with_versions()

    @extend_schema(responses=responses(s.RuleSetSerializer(many=True)))
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset().order_by("key"))
        return self.get_paginated_response(s.RuleSetSerializer(page, many=True).data)


def _version(key: str, number: int) -> RuleSetVersion:
    rule_set = get_object_or_404(RuleSet, key=key)
    if not 0 < number < 2**31:
        raise exceptions.NotFound()
    return get_object_or_404(RuleSetVersion, rule_set=rule_set, number=number)


def _jsonable(value):
    if dataclasses.is_dataclass(value):
        return {k: _jsonable(v) for k, v in dataclasses.asdict(value).items()}
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


class RuleVersionView(ApiView):
    """One version of a rule set, with its decision tables."""

    required_scope = ApiScope.READ_RESULTS
    integrations_allowed = True
    serializer_class = s.RuleVersionDetailSerializer

    @extend_schema(responses=responses(s.RuleVersionDetailSerializer))
    def get(self, request, key: str, number: int):
        version = _version(key, number)
        data = s.RuleVersionSerializer(version).data
        data["tables"] = [_jsonable(spec) for spec in version_specs(version=version)]
        return Response(data)


class RuleEvaluateView(ApiView):
    """Evaluate one table of a published version (the one in force on ``on``, today by default,
    or ``version``): the inputs → the outputs and the trace of the rows that decided."""

    required_scope = ApiScope.READ_RESULTS
    integrations_allowed = True
    serializer_class = s.EvaluateInput

    @extend_schema(request=s.EvaluateInput, responses=responses(s.EvaluateOutput))
    def post(self, request, key: str):
        serializer = s.EvaluateInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        rule_set = get_object_or_404(RuleSet, key=key)
        published = RuleSetVersion.objects.filter(rule_set=rule_set, status__in=["published", "retired"])
        if "version" in data:
            version = published.filter(number=data["version"]).first()
        else:
            version = version_in_force(rule_set=key, on=data.get("on") or timezone.localdate())
        if version is None:
            raise exceptions.NotFound(_("No published version of these rules matches."))
        try:
            decision = evaluate_version(version, data["table"], data["inputs"])
        except RuleEvaluationError as exc:
            raise ServiceRefused(str(exc)) from None
        return Response(
            {
                "rule_set": key,
                "version": version.number,
                "table": data["table"],
                "outputs": _jsonable(decision.outputs),
                "trace": _jsonable(decision.trace),
            }
        )


# --- audit -----------------------------------------------------------------------------------


class AuditEventListView(ApiView):
    """Audit events of the governments the caller administers, newest first."""

    required_scope = ApiScope.READ_PROGRESS
    serializer_class = s.AuditEventSerializer

    @extend_schema(parameters=[s.AuditFilter], responses=responses(s.AuditEventSerializer(many=True)))
    def get(self, request):
        if not admin_instansi_ids(request.user):
            raise exceptions.PermissionDenied(_("Only an admin of a government may read its audit log."))
        f = filters(s.AuditFilter, request)
        qs = audit_search(user=request.user, **f)
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(s.AuditEventSerializer(page, many=True).data)
