"""The rules editor (Indonesian UI inside the viewflow Site). Rule admins only: everyone else
gets 403. Views stay thin: they read through selectors and write through one service call."""

from __future__ import annotations

import json
import re

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View

from project.widgets import DateInput

from .api import try_version
from .choices import VersionStatus
from .diff import diff_versions
from .errors import RuleEvaluationError, RuleSetError
from .forms import DiffForm, FactsForm, GridForm, TestCaseDeleteForm, TestCaseForm
from .models import DecisionTable, RuleSetVersion, TableTestCase
from .selectors import rule_sets_with_versions, table_spec, version_in_force, version_specs, version_table_list
from .services import (
    rule_version_copy,
    rule_version_publish,
    rule_version_retire,
    table_case_add,
    table_case_delete,
    table_rows_save,
)
from .signals import choice_labels_of, publish_impact_of
from .simulate import draft_candidate, simulate_versions

PERMISSION = "rules.manage_rules"


class RulesAdminMixin(PermissionRequiredMixin):
    permission_required = PERMISSION
    raise_exception = True  # 403, not a login redirect, for signed-in users without the right


def _version(pk: int) -> RuleSetVersion:
    return get_object_or_404(RuleSetVersion.objects.select_related("rule_set"), pk=pk)


def _table(pk: int) -> DecisionTable:
    return get_object_or_404(
        DecisionTable.objects.select_related("version__rule_set").prefetch_related(
            "inputs", "outputs", "rows", "test_cases"
        ),
        pk=pk,
    )


class RuleSetListView(RulesAdminMixin, TemplateView):
    template_name = "rules/rule_set_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        today = timezone.localdate()
        rule_sets = list(rule_sets_with_versions())
        for rs in rule_sets:
            current = version_in_force(rule_set=rs.key, on=today)
            rs.current_id = current.pk if current else None
        ctx["rule_sets"] = rule_sets
        return ctx


class VersionDetailView(RulesAdminMixin, TemplateView):
    template_name = "rules/version_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        version = _version(self.kwargs["pk"])
        ctx["version"] = version
        ctx["tables"] = version_table_list(version=version)
        ctx["others"] = version.rule_set.versions.exclude(pk=version.pk).order_by("-number")
        ctx["publish_form"] = PublishForm(initial={"effective_from": timezone.localdate()})
        return ctx


class VersionCopyView(RulesAdminMixin, View):
    def post(self, request, pk):
        draft = rule_version_copy(version=_version(pk), by=request.user)
        messages.success(request, _("Draft version %(number)s created.") % {"number": draft.number})
        return redirect("aturan:version", pk=draft.pk)


class PublishForm(forms.Form):
    effective_from = forms.DateField(label=gettext_lazy("In force from"), widget=DateInput())
    effective_to = forms.DateField(label=gettext_lazy("In force until (optional)"), required=False, widget=DateInput())
    reason = forms.CharField(
        label=gettext_lazy("Reason (required when results of a period would be scored by this version)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _candidate(version: RuleSetVersion):
    """A draft as a candidate to compare with the results of the periods under way (None for a
    version that is no longer a draft: it cannot be published again)."""
    return draft_candidate(version=version) if version.is_draft else None


class VersionPublishView(RulesAdminMixin, TemplateView):
    template_name = "rules/version_publish.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        version = ctx["version"] = _version(self.kwargs["pk"])
        if "form" not in ctx:
            start = timezone.localdate()
            ctx["form"] = PublishForm(initial={"effective_from": start})
            ctx["impact"] = publish_impact_of(
                rule_set=version.rule_set.key, effective_from=start, candidate=_candidate(version)
            )
        return ctx

    def post(self, request, pk):
        version = _version(pk)
        form = PublishForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        impact = publish_impact_of(
            rule_set=version.rule_set.key,
            effective_from=form.cleaned_data["effective_from"],
            effective_to=form.cleaned_data["effective_to"],
            candidate=_candidate(version),
        )
        reason = form.cleaned_data["reason"].strip()
        if any(line.count for line in impact) and not reason:
            form.add_error(
                "reason",
                _("This version would score %(count)d results of periods already under way: say why.")
                % {"count": sum(line.count for line in impact)},
            )
            return self.render_to_response(self.get_context_data(form=form, impact=impact), status=400)
        try:
            rule_version_publish(
                version=version,
                effective_from=form.cleaned_data["effective_from"],
                effective_to=form.cleaned_data["effective_to"],
                by=request.user,
                reason=reason,
            )
        except RuleSetError as exc:
            return self.render_to_response(
                self.get_context_data(form=form, error=exc.message, problems=exc.problems, impact=impact), status=400
            )
        messages.success(request, _("Version %(number)s is published.") % {"number": version.number})
        return redirect("aturan:version", pk=version.pk)


class VersionRetireView(RulesAdminMixin, View):
    def post(self, request, pk):
        version = _version(pk)
        try:
            rule_version_retire(version=version, by=request.user)
        except RuleSetError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Version %(number)s is retired.") % {"number": version.number})
        return redirect("aturan:version", pk=pk)


CODE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def choice_words(value, column, labels: dict[str, str]) -> str:
    """A cell as people read it: each choice code of ``column`` in it replaced by its label
    (``in {sesuai, di_atas}`` → ``in {Meets expectations, Above expectations}``); empty when
    the cell names no choice with a label."""
    text = str(value or "")
    if not column.choices or not text:
        return ""
    said = CODE.sub(lambda m: labels.get(m.group(), m.group()) if m.group() in column.choices else m.group(), text)
    return said if said != text else ""


def _column(column, labels: dict[str, str]) -> dict:
    """A column's header: its spec and each choice code with its label."""
    return {"col": column, "choices": [(code, labels.get(code, "")) for code in column.choices]}


class TableView(RulesAdminMixin, TemplateView):
    """A table as a grid; editable when its version is a draft."""

    template_name = "rules/table_grid.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        table = _table(self.kwargs["pk"])
        spec = table_spec(table)
        ctx.update(table=table, spec=spec, version=table.version, editable=table.version.is_draft)
        if "grid" not in ctx:
            ctx["grid"] = [
                {
                    "conditions": dict(r.conditions),
                    "outputs": dict(r.outputs),
                    "is_default": r.is_default,
                    "note": r.note,
                }
                for r in spec.rows
            ]
        problems = ctx.get("problems", [])
        labels = choice_labels_of()
        ctx["input_columns"] = [_column(c, labels) for c in spec.inputs]
        ctx["output_columns"] = [_column(c, labels) for c in spec.outputs]
        for index, row in enumerate(ctx["grid"], start=1):
            row["index"] = index
            row["cells"] = [
                {
                    "name": c.name,
                    "label": c.label or c.name,
                    "value": (value := "-" if row["is_default"] else row["conditions"].get(c.name, "-")),
                    "words": choice_words(value, c, labels),
                    "errors": [p.message for p in problems if p.row == index and p.field == c.name],
                }
                for c in spec.inputs
            ]
            row["out_cells"] = [
                {
                    "name": c.name,
                    "label": c.label or c.name,
                    "value": (value := row["outputs"].get(c.name, "")),
                    "words": choice_words(value, c, labels),
                    "errors": [p.message for p in problems if p.row == index and p.field == c.name],
                }
                for c in spec.outputs
            ]
            row["errors"] = [p.message for p in problems if p.row == index and p.field is None]
        ctx["table_errors"] = [p.message for p in problems if p.row is None]
        return ctx

    def post(self, request, pk):
        table = _table(pk)
        form = GridForm(table_spec(table), request.POST)
        if not form.is_valid():
            ctx = self.get_context_data(
                grid=form.grid(), problems=form.problems(), error=_("The table is not valid; nothing was saved.")
            )
            return self.render_to_response(ctx, status=400)
        changed = form.existing_rows_changed(table_spec(table).rows)
        if changed and not request.POST.get("konfirmasi"):
            # A changed row that would change results of a period under way: say how many, ask first.
            version = table.version
            impact = publish_impact_of(
                rule_set=version.rule_set.key,
                effective_from=version.effective_from or timezone.localdate(),
                effective_to=version.effective_to,
                candidate=draft_candidate(version=version, table=table.name, rows=form.rows()),
            )
            unknown = any(line.changed is None and line.kept for line in impact)
            if unknown or any(line.changed for line in impact):
                ctx = self.get_context_data(
                    grid=form.grid(),
                    confirm={
                        "changed": changed,
                        "impact": impact,
                        "results": sum(line.changed or 0 for line in impact),
                        "unknown": unknown,
                    },
                )
                return self.render_to_response(ctx)
        try:
            table_rows_save(table=table, rows=form.rows(), by=request.user)
        except RuleSetError as exc:
            ctx = self.get_context_data(grid=form.grid(), problems=exc.problems, error=exc.message)
            return self.render_to_response(ctx, status=400)
        messages.success(request, _("The table is saved."))
        return redirect("aturan:table", pk=pk)


class TryView(RulesAdminMixin, TemplateView):
    """ "Coba": enter inputs, see outputs and the trace of the row that decided."""

    template_name = "rules/table_try.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        table = _table(self.kwargs["pk"])
        spec = table_spec(table)
        ctx.update(table=table, spec=spec, version=table.version)
        values = ctx.get("values", {})
        ctx["fields"] = [
            {"col": c, "value": values.get(c.name, ""), "error": ctx.get("errors", {}).get(c.name)} for c in spec.inputs
        ]
        return ctx

    def post(self, request, pk):
        table = _table(pk)
        spec = table_spec(table)
        form = FactsForm(spec, request.POST)
        values = {c.name: str(request.POST.get(f"i-{c.name}", "")).replace("\x00", "") for c in spec.inputs}
        decision, error, errors = None, None, {}
        if form.is_valid():
            try:
                decision = try_version(table.version, table.name, form.facts)
            except RuleEvaluationError as exc:
                error = str(exc)
        else:
            errors = form.messages()
        ctx = self.get_context_data(values=values, errors=errors, decision=decision, error=error)
        if decision is not None:
            ctx["decision_json"] = json.dumps(decision.to_dict(), ensure_ascii=False, indent=2, default=str)
        return self.render_to_response(ctx)


class TestCasesView(RulesAdminMixin, TemplateView):
    template_name = "rules/table_tests.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        table = _table(self.kwargs["pk"])
        spec = table_spec(table)
        ctx.update(table=table, spec=spec, version=table.version, editable=table.version.is_draft)
        ctx["cases"] = table.test_cases.all()
        values = ctx.get("values", {})
        ctx["input_fields"] = [{"col": c, "value": values.get(f"i-{c.name}", "")} for c in spec.inputs]
        ctx["output_fields"] = [{"col": c, "value": values.get(f"o-{c.name}", "")} for c in spec.outputs]
        return ctx

    def post(self, request, pk):
        table = _table(pk)
        if "delete" in request.POST:
            delete = TestCaseDeleteForm(request.POST)
            if not delete.is_valid():
                messages.error(request, _("There is no such test case."))
                return redirect("aturan:tests", pk=pk)
            case = get_object_or_404(TableTestCase, pk=delete.cleaned_data["delete"], table=table)
            try:
                table_case_delete(case=case, by=request.user)
            except RuleSetError as exc:
                messages.error(request, exc.message)
            return redirect("aturan:tests", pk=pk)
        form = TestCaseForm(table_spec(table), request.POST)
        problems = []
        if not form.is_valid():
            problems = [f"{name}: {message}" if name else message for name, message in form.messages().items()]
        else:
            try:
                table_case_add(
                    table=table,
                    name=form.cleaned_data["name"] or _("Test"),
                    inputs=form.facts,
                    expected=form.expected,
                    by=request.user,
                )
            except RuleSetError as exc:
                problems = [str(p) for p in exc.problems] or [exc.message]
        if problems:
            values = {k: str(v).replace("\x00", "") for k, v in request.POST.items()}
            return self.render_to_response(self.get_context_data(problems=problems, values=values), status=400)
        messages.success(request, _("The test case is saved."))
        return redirect("aturan:tests", pk=pk)


class DiffView(RulesAdminMixin, TemplateView):
    """Two versions side by side, table by table and row by row, changed cells marked."""

    template_name = "rules/version_diff.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        left = _version(self.kwargs["pk"])
        others = left.rule_set.versions.exclude(pk=left.pk).order_by("-number")
        form = DiffForm(self.request.GET)
        if not form.is_valid():
            raise Http404(_("There is no such version to compare with."))
        other_pk = form.cleaned_data["dengan"] or left.based_on_id or (others[0].pk if others else None)
        ctx.update(left=left, others=others)
        if not other_pk:
            return ctx
        right = get_object_or_404(RuleSetVersion, pk=other_pk, rule_set=left.rule_set)
        ctx["right"] = right
        # The other (usually older) version on the left; only the tables that differ unless asked.
        tables = diff_versions(version_specs(version=right), version_specs(version=left))
        changed = [t for t in tables if t.changed_rows or t.schema_changed or t.policy_a != t.policy_b]
        ctx.update(
            show_all=form.cleaned_data["semua"],
            tables=tables if form.cleaned_data["semua"] else changed,
            total=len(tables),
            changed_count=len(changed),
        )
        return ctx


class SimulateForm(forms.Form):
    table = forms.ChoiceField(label=gettext_lazy("Table"))
    baseline = forms.ModelChoiceField(queryset=RuleSetVersion.objects.none(), label=gettext_lazy("Compare with"))
    data = forms.FileField(label=gettext_lazy("Fact records (CSV, header = input names)"))


class SimulateView(RulesAdminMixin, TemplateView):
    template_name = "rules/version_simulate.html"

    def form(self, version, data=None, files=None):
        form = SimulateForm(data, files)
        names = version.tables.order_by("position", "name").values_list("name", "title")
        form.fields["table"].choices = [(name, title or name) for name, title in names]
        form.fields["baseline"].queryset = version.rule_set.versions.exclude(status=VersionStatus.DRAFT).order_by(
            "-number"
        )
        current = version_in_force(rule_set=version.rule_set.key, on=timezone.localdate())
        form.fields["baseline"].initial = current.pk if current else None
        form.fields["baseline"].label_from_instance = lambda v: f"v{v.number} ({v.get_status_display()})"
        return form

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        version = _version(self.kwargs["pk"])
        ctx["version"] = version
        ctx.setdefault("form", self.form(version))
        if version.is_draft:  # the draft against the results of the periods it would score
            ctx["impact"] = publish_impact_of(
                rule_set=version.rule_set.key,
                effective_from=version.effective_from or timezone.localdate(),
                effective_to=version.effective_to,
                candidate=_candidate(version),
            )
        return ctx

    def post(self, request, pk):
        version = _version(pk)
        form = self.form(version, request.POST, request.FILES)
        ctx = {"form": form}
        if form.is_valid():
            try:
                text = form.cleaned_data["data"].read().decode("utf-8-sig")
                result = simulate_versions(
                    candidate=version,
                    baseline=form.cleaned_data["baseline"],
                    table=form.cleaned_data["table"],
                    csv_text=text,
                )
                ctx["result"] = result.to_dict()
            except (RuleEvaluationError, UnicodeDecodeError) as exc:
                ctx["error"] = str(exc)
        return self.render_to_response(self.get_context_data(**ctx))
