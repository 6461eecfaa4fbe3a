"""Reads of the audit trail: the story of one appraisal (events and field-level history merged in
time order) and the admins' search over events, scoped to their own government."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import models as dj
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import (
    AppraisalProcess,
    AuditEvent,
    EkspektasiPerilaku,
    Evaluasi,
    HasilPenilaian,
    HasilPeriodik,
    Iki,
    JenisJabatan,
    Keberatan,
    NilaiPerilaku,
    RealisasiIki,
    RealisasiRhk,
    Rhk,
    Skp,
    StatusKeberatan,
    UmpanBalikPerilaku,
)
from .org import admin_instansi_ids, person_name

# Bookkeeping fields that change with every save and say nothing to a reader.
NOISE = {
    "diubah",
    "dibuat",
    "id",
    "data",
    "token",
    "flow_class",
    "flow_task_type",
    "external_task_id",
    "artifact_content_type",
    "artifact_object_id",
    "seed_content_type",
    "seed_object_id",
    "parent_task",
    "created",
    "assigned",
    "started",
    "finished",
    "scheduled",
    "trace",
    "fakta",
    "dihitung",
    "process",
    "owner_permission",
    "owner_permission_content_type",
    "owner_permission_obj_pk",
}
EMPTY = "—"
# What the readable timeline leaves out (the technical view keeps it): internal numbers (the
# process, an SKP's sequence number, a review's id), the appraisal the page is about, the rule set's
# key, the per-item rating maps the review pages show in full, and a step's node (its title heads the line).
INTERNAL = {"process", "urutan", "skp", "evaluasi", "rule_set", "rhk_ratings", "perilaku_ratings", "flow_task"}
# Keys of audit events that are no field of the SKP: the model whose field of that name labels and
# shows the value (the result, a periodic result, the appeal), or a label and choices of their own.
EVENT_MODELS = (Skp, HasilPenilaian, HasilPeriodik, Keberatan)
EVENT_KEYS = {
    "window": (gettext_lazy("review window"), None),
    "rhk": (gettext_lazy("number of RHK"), None),
    "iki": (gettext_lazy("number of indicators"), None),
    "ekspektasi": (gettext_lazy("behaviour expectations"), NilaiPerilaku),
    "keberatan": (gettext_lazy("appeal"), StatusKeberatan),
    "published": (gettext_lazy("published at"), None),
    "jabatan": (gettext_lazy("position"), None),
}
# Snapshot fields stored as plain codes that have a choice list elsewhere.
CODED = {"jabatan_jenis": JenisJabatan}
# Names of objects a foreign key points to, looked up once per timeline (reset by each call; the
# web server runs requests in separate processes).
_names: dict = {}


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class Entry:
    """One line of the timeline: an audit event (what happened) or a history row (what changed)."""

    time: dt.datetime
    actor: str
    kind: str  # "event" or "history"
    title: str
    changes: list[Change] = field(default_factory=list)
    reason: str = ""
    history_type: str = ""  # "+", "~", "-" for history rows
    link: str = ""
    link_label: str = ""


def _display(model, name: str, value) -> str:
    if value is None or value == "":
        return EMPTY
    try:
        f = model._meta.get_field(name)
    except Exception:  # noqa: BLE001 - a JSON key of an event, not a model field
        f = None
    if f is not None and not getattr(f, "concrete", False):
        f = None  # a reverse relation named like an event key (e.g. "keberatan")
    if f is not None and f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if name in CODED:
        return str(dict(CODED[name].choices).get(value, value))
    if f is not None and isinstance(f, dj.DateField) and not isinstance(f, dj.DateTimeField):
        try:
            return dt.date.fromisoformat(str(value)).strftime("%d-%m-%Y")
        except ValueError:
            return str(value)
    if hasattr(value, "task_title"):  # a flow node (a task's step): its title, as the inbox shows it
        return str(value.task_title or value)
    if f is not None and f.is_relation and f.many_to_one and not isinstance(value, dict | list):
        key = (f.related_model, value)
        if key not in _names:
            if f.related_model is get_user_model():
                related = get_user_model()._default_manager.filter(pk=value).select_related("pegawai").first()
                _names[key] = person_name(related) if related is not None else f"#{value}"
            else:
                related = f.related_model._default_manager.filter(pk=value).first()
                _names[key] = str(related) if related is not None else f"#{value}"
        return _names[key]
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%d-%m-%Y %H:%M")
    if isinstance(value, dict | list):
        import json

        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _label(model, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:  # noqa: BLE001
        return name.replace("_", " ")


def _event_field(name: str):
    """The model whose concrete field ``name`` an event key is (None if none is)."""
    for model in EVENT_MODELS:
        names = {f.name for f in model._meta.concrete_fields}
        if name in names:
            return model
    return None


def _event_change(name: str, before, after, *, technical: bool) -> Change | None:
    """One key of an audit event's before/after in words; None when the readable view leaves it
    out (an internal number, or a key nobody has given a label)."""
    if technical:
        return Change(_label(Skp, name), _display(Skp, name, before), _display(Skp, name, after))
    if name in INTERNAL:
        return None
    if name in EVENT_KEYS:
        label, choices = EVENT_KEYS[name]

        def words(value):
            if value is None or value == "" or value == []:
                return EMPTY
            labels = dict(choices.choices) if choices is not None else {}
            if isinstance(value, list):
                return ", ".join(str(labels.get(v, v)) for v in value)
            if isinstance(value, str) and "T" in value and value[:4].isdigit():
                try:
                    return timezone.localtime(dt.datetime.fromisoformat(value)).strftime("%d-%m-%Y %H:%M")
                except ValueError:
                    pass
            return str(labels.get(value, value))

        return Change(str(label), words(before), words(after))
    model = _event_field(name)
    if model is None:
        return None
    return Change(_label(model, name), _display(model, name, before), _display(model, name, after))


def _with_via(name: str, actor_repr: str) -> str:
    """The actor's name, with what they acted through (an API token) as the event recorded it:
    ``services.audit`` writes it after the name, in brackets."""
    _name, sep, via = actor_repr.rpartition(" [")
    return f"{name} [{via}" if sep and via.startswith("token API ") and via.endswith("]") else name


def _user_name(user) -> str:
    return person_name(user) if user is not None else EMPTY


def _history_entries(model, qs, title_of, *, technical: bool = True) -> list[Entry]:
    """Field-level from → to entries of one model's history rows (``diff_against`` the row before);
    the readable view leaves out the internal fields (``INTERNAL``)."""
    entries: list[Entry] = []
    previous: dict = {}
    skip = NOISE if technical else NOISE | INTERNAL
    tracked = [f for f in qs.model.tracked_fields if f.name not in skip]
    for row in qs.select_related("history_user__pegawai").order_by("history_date", "history_id"):
        before = previous.get(row.id)
        if row.history_type == "+" or before is None:
            changes = [
                Change(_label(model, f.name), EMPTY, _display(model, f.name, getattr(row, f.attname)))
                for f in tracked
                if getattr(row, f.attname) not in (None, "")
            ]
        elif row.history_type == "-":
            changes = []
        else:
            delta = row.diff_against(before, included_fields=[f.name for f in tracked])
            changes = [
                Change(_label(model, c.field), _display(model, c.field, c.old), _display(model, c.field, c.new))
                for c in delta.changes
            ]
            if not changes:
                previous[row.id] = row
                continue
        previous[row.id] = row
        entries.append(
            Entry(
                time=row.history_date,
                actor=_user_name(row.history_user),
                kind="history",
                title=title_of(row),
                changes=changes,
                reason=row.history_change_reason or "",
                history_type=row.history_type,
            )
        )
    return entries


def _rule_version_link(event: AuditEvent) -> tuple[str, str]:
    """A link to the rules editor's diff of the version that scored the appraisal, if it exists."""
    number = (event.after or {}).get("rule_version")
    key = (event.after or {}).get("rule_set")
    if not number or not key:
        return "", ""
    from django.urls import NoReverseMatch, reverse

    from rules.models import RuleSetVersion

    version = RuleSetVersion.objects.filter(rule_set__key=key, number=number).only("pk").first()
    if version is None:
        return "", ""
    try:
        return reverse("aturan:diff", args=[version.pk]), _("Rule version %(number)s: compare") % {"number": number}
    except NoReverseMatch:
        return "", ""


def appraisal_timeline(*, skp: Skp, technical: bool = False) -> list[Entry]:
    """Everything that happened to an appraisal, oldest first: its audit events, and the history of
    the SKP, its plan, reviews, result and steps with field-level changes, in people's words —
    field labels and values as the pages show them, the steps people took (not the flow's internal
    gateways), no internal numbers. ``technical`` adds the process, every node of the flow and the
    internal fields, for admins and auditors."""
    from viewflow.workflow.models import Task

    _names.clear()
    model_name = {
        m: str(capfirst(m._meta.verbose_name))
        for m in (
            Skp,
            Rhk,
            Iki,
            EkspektasiPerilaku,
            Evaluasi,
            RealisasiRhk,
            RealisasiIki,
            UmpanBalikPerilaku,
            HasilPenilaian,
        )
    }
    rhk_ids = list(Rhk.history.filter(skp_id=skp.pk).values_list("id", flat=True).distinct())
    evaluasi_ids = list(Evaluasi.history.filter(skp_id=skp.pk).values_list("id", flat=True).distinct())
    sources = [
        (Skp, skp.history.all(), lambda r: model_name[Skp]),
        (Rhk, Rhk.history.filter(skp_id=skp.pk), lambda r: f"{model_name[Rhk]} {r.urutan}"),
        (Iki, Iki.history.filter(rhk_id__in=rhk_ids), lambda r: model_name[Iki]),
        (
            EkspektasiPerilaku,
            EkspektasiPerilaku.history.filter(skp_id=skp.pk),
            lambda r: f"{model_name[EkspektasiPerilaku]}: {_display(EkspektasiPerilaku, 'nilai', r.nilai)}",
        ),
        (Evaluasi, Evaluasi.history.filter(skp_id=skp.pk), lambda r: model_name[Evaluasi]),
        (RealisasiRhk, RealisasiRhk.history.filter(evaluasi_id__in=evaluasi_ids), lambda r: model_name[RealisasiRhk]),
        (RealisasiIki, RealisasiIki.history.filter(evaluasi_id__in=evaluasi_ids), lambda r: model_name[RealisasiIki]),
        (
            UmpanBalikPerilaku,
            UmpanBalikPerilaku.history.filter(evaluasi_id__in=evaluasi_ids),
            lambda r: f"{model_name[UmpanBalikPerilaku]}: {_display(UmpanBalikPerilaku, 'nilai', r.nilai)}",
        ),
        (HasilPenilaian, HasilPenilaian.history.filter(skp_id=skp.pk), lambda r: model_name[HasilPenilaian]),
    ]
    if skp.process_id and technical:
        sources += [
            (AppraisalProcess, AppraisalProcess.history.filter(id=skp.process_id), lambda r: _("Process")),
            (
                Task,
                Task.history.filter(process_id=skp.process_id),
                lambda r: _("Task: %(title)s") % {"title": _display(Task, "flow_task", r.flow_task)},
            ),
        ]
    elif skp.process_id:  # the steps people took: who got each one and when it was done
        sources.append(
            (
                Task,
                Task.history.filter(process_id=skp.process_id, flow_task_type="HUMAN"),
                lambda r: _("Step: %(title)s") % {"title": _display(Task, "flow_task", r.flow_task)},
            )
        )
    entries: list[Entry] = []
    for model, qs, title_of in sources:
        entries += _history_entries(model, qs, title_of, technical=technical)
    ct = ContentType.objects.get_for_model(Skp)
    for event in AuditEvent.objects.filter(content_type=ct, object_id=str(skp.pk)).select_related("actor__pegawai"):
        keys = list(dict.fromkeys([*event.before, *event.after]))
        changes = [
            change
            for k in keys
            if event.before.get(k) != event.after.get(k)
            and (change := _event_change(k, event.before.get(k), event.after.get(k), technical=technical))
        ]
        link, link_label = _rule_version_link(event) if event.action == "appraisal.scored" else ("", "")
        entries.append(
            Entry(
                time=event.time,
                actor=_with_via(_user_name(event.actor), event.actor_repr) if event.actor else event.actor_repr,
                kind="event",
                title=event.get_action_display(),
                changes=changes,
                reason=event.reason,
                link=link,
                link_label=link_label,
            )
        )
    if not technical:
        entries = _without_repeats(entries)
    # Events first among entries of the same moment: the headline before its details.
    entries.sort(key=lambda e: (e.time, e.kind != "event"))
    return entries


# An action writes its history rows and its audit event in one transaction: moments this close.
REPEAT_WINDOW = dt.timedelta(seconds=5)


def _without_repeats(entries: list[Entry]) -> list[Entry]:
    """The readable timeline says each change once: a history row's change that an audit event
    of the same action already states (same field, same before and after, within the
    transaction's moment) is left out, and a history row left with no change with it. The
    technical view keeps both."""
    said = [
        (event.time, {(c.field.casefold(), c.old, c.new) for c in event.changes})
        for event in entries
        if event.kind == "event" and event.changes
    ]
    kept = []
    for entry in entries:
        if entry.kind == "history":
            near = set()
            for time, changes in said:
                if abs(entry.time - time) <= REPEAT_WINDOW:
                    near |= changes
            if near:
                changes = [c for c in entry.changes if (c.field.casefold(), c.old, c.new) not in near]
                if not changes and entry.history_type != "+":
                    continue
                entry.changes = changes
        kept.append(entry)
    return kept


# --- search -------------------------------------------------------------------------------------


def events_visible_to(user) -> QuerySet[AuditEvent]:
    """Superusers see every event; a government admin the events of their own government."""
    if not user.is_authenticated:
        return AuditEvent.objects.none()
    if user.is_superuser:
        return AuditEvent.objects.all()
    ids = admin_instansi_ids(user)
    return AuditEvent.objects.filter(instansi_id__in=ids) if ids else AuditEvent.objects.none()


def audit_search(
    *,
    user,
    person: str = "",
    obj: str = "",
    action: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[AuditEvent]:
    """Events the user may see, newest first, filtered by who acted (user name or full name),
    which object (its name, or ``type:id`` such as ``skp:12``), action and date range (inclusive)."""
    qs = events_visible_to(user).select_related("actor", "content_type")
    if person := person.strip():
        qs = qs.filter(
            Q(actor_repr__icontains=person)
            | Q(actor__first_name__icontains=person)
            | Q(actor__last_name__icontains=person)
        )
    if obj := obj.strip():
        kind, sep, pk = obj.partition(":")
        if sep and pk.strip().isdigit():
            qs = qs.filter(content_type__model=kind.strip().lower(), object_id=pk.strip())
        else:
            qs = qs.filter(object_repr__icontains=obj)
    if action:
        qs = qs.filter(action=action)
    if date_from:
        qs = qs.filter(time__date__gte=date_from)
    if date_to:
        qs = qs.filter(time__date__lte=date_to)
    return qs.order_by("-seq")


# What a row of the audit search shows of an event: its before/after (JSON), the acting user's row
# and the chain's hashes are left out of the page (the export and the API read the whole event).
AUDIT_ROW_FIELDS = (
    "seq",
    "time",
    "actor_repr",
    "action",
    "content_type_id",
    "object_id",
    "object_repr",
    "reason",
    "ip",
)


def audit_rows_of(events: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
    """``events`` (an ``audit_search``) with only the columns of the page's rows, no join: an
    event's object type comes from the content types Django keeps (``ContentType.objects.get_for_id``)."""
    return events.select_related(None).only(*AUDIT_ROW_FIELDS)
