"""The filters of the product's long lists (django-filter): tasks by step, overdue, OPD, unit and
who holds them, searched by the employee's name or NIP. Choices are scoped to what the user may
see; input a filter cannot read is left out of the filtering (the page names it), never an error."""

from __future__ import annotations

from functools import cache

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Task

from .models import Pegawai, Unit
from .selectors.inbox import product_flows

SEARCH_MAX = 100


def step_choices() -> list[tuple[str, str]]:
    """Every person's step of the product's flows, by its title (``Flow.node`` as the value), in
    the active language: the flows do not change while the process runs, so once per language."""
    return list(_step_choices(get_language()))


@cache
def _step_choices(language: str | None) -> tuple[tuple[str, str], ...]:
    choices = []
    for flow_class in product_flows():
        for node in flow_class.instance.nodes():
            if getattr(node, "task_type", None) == "HUMAN":
                choices.append((f"{flow_class.__name__}.{node.name}", str(node.task_title or node.name)))
    return tuple(choices)


def _node(value: str):
    flow_name, _sep, node_name = value.partition(".")
    for flow_class in product_flows():
        if flow_class.__name__ == flow_name:
            return getattr(flow_class.instance, node_name, None)
    return None


def search_q(prefix: str, text: str) -> Q:
    """Name (any part) or NIP (from its start) of the employee at ``prefix`` (``pegawai__``...)."""
    return Q(**{f"{prefix}nama__icontains": text}) | Q(**{f"{prefix}nip__startswith": text.replace(" ", "")})


class TaskFilter(django_filters.FilterSet):
    """The inbox, queue and archive and the admin's list of open tasks."""

    q = django_filters.CharFilter(
        label=_("Name or NIP"), method="search", max_length=SEARCH_MAX, widget=forms.TextInput(attrs={"type": "search"})
    )
    langkah = django_filters.ChoiceFilter(label=_("Step"), method="by_step", empty_label=_("All steps"))
    terlambat = django_filters.BooleanFilter(label=_("Overdue only"), method="by_overdue", widget=forms.CheckboxInput)

    class Meta:
        model = Task
        fields: list[str] = []

    # Unbound, the form is the same for everyone (the steps of every flow): the page draws it once
    # per process and language under this name. A subclass whose choices depend on the user says "".
    same_for_everyone = "tasks"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["langkah"].extra["choices"] = step_choices()

    def search(self, queryset, name, value):
        text = value.strip()
        if not text:
            return queryset
        return queryset.filter(
            search_q("process__skp__pegawai__", text)
            | search_q("process__keberatan__skp__pegawai__", text)
            | Q(process__penetapan_capaian__unit__nama__icontains=text)
            | Q(process__tugas_kalibrasi__kalibrasi__unit__nama__icontains=text)
        )

    def by_step(self, queryset, name, value):
        node = _node(value)
        return queryset.filter(flow_task=node) if node is not None else queryset

    def by_overdue(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(tenggat__jatuh_tempo__lt=timezone.now(), finished__isnull=True)


def _units_under(unit: Unit, units: list[Unit]) -> set[int]:
    """``unit`` and every unit below it, from the government's units loaded once."""
    children: dict[int | None, list[int]] = {}
    for u in units:
        children.setdefault(u.parent_id, []).append(u.pk)
    found, todo = set(), [unit.pk]
    while todo:
        pk = todo.pop()
        found.add(pk)
        todo.extend(children.get(pk, []))
    return found


class OpenTaskFilter(TaskFilter):
    """The admin's open tasks of their governments: also by OPD, unit and who holds the task."""

    same_for_everyone = ""  # the OPD and unit choices are the admin's governments'

    HELD, QUEUE = "dipegang", "antrian"

    opd = django_filters.ModelChoiceFilter(
        label=_("OPD"), queryset=Unit.objects.none(), method="by_unit", empty_label=_("All OPD")
    )
    unit = django_filters.ModelChoiceFilter(
        label=_("Unit"), queryset=Unit.objects.none(), method="by_unit", empty_label=_("All units")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        method="by_status",
        empty_label=_("Held or waiting"),
        choices=[(HELD, _("Held by someone")), (QUEUE, _("Nobody yet (queue)"))],
    )

    def __init__(self, *args, instansi_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.instansi_ids = instansi_ids
        units = Unit.objects.filter(instansi_id__in=instansi_ids).order_by("nama")
        self.filters["opd"].queryset = units.filter(parent__isnull=False, parent__parent__isnull=True)
        self.filters["unit"].queryset = units

    def by_unit(self, queryset, name, value):
        if value is None:
            return queryset
        units = list(Unit.objects.filter(instansi_id=value.instansi_id).only("pk", "parent_id"))
        ids = _units_under(value, units)
        return queryset.filter(
            Q(process__skp__pegawai__unit_id__in=ids)
            | Q(process__keberatan__skp__pegawai__unit_id__in=ids)
            | Q(process__penetapan_capaian__unit_id__in=ids)
        )

    def by_status(self, queryset, name, value):
        if value == self.HELD:
            return queryset.filter(owner__isnull=False)
        if value == self.QUEUE:
            return queryset.filter(owner__isnull=True)
        return queryset


class PegawaiFilter(django_filters.FilterSet):
    """Lists of employees: by name or NIP, OPD (with the units below it) and unit."""

    q = django_filters.CharFilter(
        label=_("Name or NIP"), method="search", max_length=SEARCH_MAX, widget=forms.TextInput(attrs={"type": "search"})
    )

    class Meta:
        model = Pegawai
        fields: list[str] = []

    def search(self, queryset, name, value):
        text = value.strip()
        return queryset.filter(search_q("", text)) if text else queryset
