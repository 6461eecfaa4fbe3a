"""Writes of the appraisal lifecycle. Each human step is one service that validates first, then
writes and completes its viewflow task in the same transaction; web views and code call the same
services (see ``services.tasks``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history, get_history_manager_for_model

from project.memo import step_memo
from project.prepared import BulkUpdateManager, Prepared, bulk_create
from rules.errors import RuleEvaluationError

from ..domain.achievement import capaian_persen
from ..models import (
    AppraisalProcess,
    AspekIki,
    AuditAction,
    EkspektasiPerilaku,
    Evaluasi,
    Iki,
    JenisJendela,
    JenisRhk,
    NilaiPerilaku,
    Notifikasi,
    Pegawai,
    Pendekatan,
    Periode,
    Rating,
    RealisasiIki,
    RealisasiRhk,
    Rhk,
    Skp,
    StatusSkp,
    UmpanBalikPerilaku,
)
from ..selectors.appraisal import (
    AssessorPlan,
    assessor_plan,
    current_window,
    last_urutan,
    remember_review,
    review_window,
    reviews_of,
    rhk_of,
    running_skp,
    window_opens_at,
)
from ..selectors.org import OrgSnapshot
from ..selectors.scoring import periodic_rulebook, rulebook_for, suggest_ratings
from ..uploads import evidence_problem, original_name
from .audit import acting_as, audit_batch, audit_record
from .notify import notify, process_link
from .scoring import AnnualReview, PeriodicReview, ScoringRun, periodic_score, scoring_run
from .tasks import flow_of, process_starting, task_execution
from .transition import skp_transition

__all__ = ["current_window", "review_window", "rhk_of", "window_opens_at"]  # reads the steps use, from selectors


def _upsert_rows(
    model, *, parent: dict, key: str, values: dict, fields: list[str], by, fresh: bool = False, existing=None
) -> None:
    """Create or update the child rows of one parent (e.g. the seven expectations of an SKP) in a
    few statements, each change with its history row. Rows whose values did not change are left
    alone; rows carrying a new file are saved one by one so the file is stored. ``fresh``: the
    parent was created just now, so it has no rows to look up; ``existing``: the rows by key, when
    the caller has read them already."""
    if existing is None:
        existing = {} if fresh else {getattr(o, key): o for o in _child_rows(model, parent)}
    created, changed = [], []
    for k, data in values.items():
        obj = existing.get(k)
        if obj is None:
            obj = model(**parent, **{key: k}, **data)
            created.append(obj)
            continue
        if any(getattr(obj, f) != v for f, v in data.items()):
            for f, v in data.items():
                setattr(obj, f, v)
            changed.append(obj)
    # A newly assigned upload is an uncommitted FieldFile; bulk writes would not store it.
    with_files = [
        o for o in created + changed if any(getattr(getattr(o, f), "_committed", True) is False for f in fields)
    ]
    for obj in with_files:
        obj.save()
    created = [o for o in created if o not in with_files]
    changed = [o for o in changed if o not in with_files]
    if created:
        create_with_history(created, model, by=by)
    if changed:
        bulk_update_with_history(changed, model, fields, default_user=by, manager=BulkUpdateManager(model))
    return existing


def create_with_history(objs, model, *, by) -> list:
    """simple-history's ``bulk_create_with_history`` (the rows, then a history row each, in one
    transaction), the rows inserted by ``project.prepared.bulk_create``; on a database that does not
    return the new ids, simple-history's own (it reads them back)."""
    if not connection.features.can_return_rows_from_bulk_insert:
        return bulk_create_with_history(objs, model, default_user=by)
    with transaction.atomic(savepoint=False):
        created = bulk_create(model, objs)
        if created:
            get_history_manager_for_model(model).bulk_history_create(created, default_user=by)
    return created


_CHILD_ROWS: dict[tuple, Prepared] = {}


def _child_rows(model, parent: dict) -> list:
    """The rows of ``model`` under one parent (``{field: instance}``), read by a statement compiled
    once per connection (``model.objects.filter(**parent)`` for anything else)."""
    if len(parent) != 1:
        return list(model.objects.filter(**parent))
    ((name, owner),) = parent.items()
    if type(getattr(owner, "pk", None)) is not int:
        return list(model.objects.filter(**parent))
    read = _CHILD_ROWS.get((model, name))
    if read is None:
        attname = model._meta.get_field(name).attname
        read = _CHILD_ROWS[(model, name)] = Prepared(
            lambda pk, _model=model, _attname=attname: _model.objects.filter(**{_attname: pk}), arity=1
        )
    return read.objects(owner.pk)


def _node(name: str):
    """A step of the appraisal flow (see ``services.tasks.flow_of``)."""
    return getattr(flow_of(AppraisalProcess), name)


# --- creating appraisals -----------------------------------------------------------------------


def assessor_snapshot(penilai: Pegawai | None, atasan: Pegawai | None) -> dict:
    """The SKP's snapshot fields of its assessor and the assessor's superior, as they are now: the
    documents print these, never the live directory (the people may have moved since)."""
    return {
        "penilai": penilai,
        "penilai_nama": penilai.nama if penilai else "",
        "penilai_jabatan": penilai.jabatan.nama if penilai and penilai.jabatan_id else "",
        "penilai_unit": penilai.unit if penilai else None,
        "penilai_unit_nama": penilai.unit.nama if penilai and penilai.unit_id else "",
        "atasan_penilai": atasan,
        "atasan_penilai_nama": atasan.nama if atasan else "",
        "atasan_penilai_jabatan": atasan.jabatan.nama if atasan and atasan.jabatan_id else "",
    }


ASSESSOR_SNAPSHOT_FIELDS = [
    "penilai",
    "penilai_nama",
    "penilai_jabatan",
    "penilai_unit",
    "penilai_unit_nama",
    "atasan_penilai",
    "atasan_penilai_nama",
    "atasan_penilai_jabatan",
]


def skp_build(
    *, pegawai: Pegawai, periode: Periode, snap: OrgSnapshot, mulai: dt.date | None = None, urutan: int = 1
) -> Skp:
    """An unsaved SKP with snapshots of position, unit, assessor and the assessor's superior,
    covering the period from ``mulai`` (default: the period's start) to its end."""
    penilai = snap.assessor_of(pegawai)
    atasan = snap.assessor_superior_of(pegawai) if penilai else None
    return Skp(
        periode=periode,
        pegawai=pegawai,
        urutan=urutan,
        tanggal_mulai=mulai or periode.tanggal_mulai,
        tanggal_selesai=periode.tanggal_selesai,
        jabatan_nama=pegawai.jabatan.nama,
        jabatan_jenis=pegawai.jabatan.jenis,
        jabatan_jenjang=pegawai.jabatan.jenjang,
        unit=pegawai.unit,
        unit_nama=pegawai.unit.nama,
        **assessor_snapshot(penilai, atasan),
    )


def appraisal_open(
    *,
    pegawai: Pegawai,
    periode: Periode,
    snap: OrgSnapshot,
    by=None,
    checked: bool = False,
    mulai: dt.date | None = None,
    savepoint: bool = True,
) -> Skp | None:
    """Create the SKP and start its process, unless the employee already has one for the period
    (``checked``: the caller has just looked). Safe to call twice at once: the unique constraint
    decides, the loser gets ``None``.

    ``mulai``: an SKP in the middle of the period (an appointment, a transfer, a return from
    leave): the next SKP of the employee (``urutan`` = the last + 1) covering ``mulai`` (at the
    earliest the period's start) to the period's end — unless the employee has an SKP running to
    the period's end already (then ``None``).

    ``savepoint=False``: no savepoint of its own (a chunk of openings holds one for all of them);
    a lost race then raises ``IntegrityError`` for the caller to settle."""
    urutan = 1
    if mulai is not None:
        if running_skp(pegawai_id=pegawai.pk, periode=periode) is not None:
            return None
        urutan = (last_urutan(pegawai_id=pegawai.pk, periode=periode) or 0) + 1
        mulai = max(mulai, periode.tanggal_mulai)
    elif not checked and Skp.objects.filter(periode=periode, pegawai=pegawai, urutan=1).exists():
        return None
    try:
        with transaction.atomic(savepoint=savepoint), acting_as(by), audit_batch():
            skp = skp_build(pegawai=pegawai, periode=periode, snap=snap, mulai=mulai, urutan=urutan)
            # The process starts first (its handler links the SKP in memory), so the SKP is
            # inserted once, already pointing at its process.
            with process_starting():
                _node("start").run(skp=skp, by=by)
            skp.save()
            audit_record(action=AuditAction.APPRAISAL_OPENED, obj=skp, by=by, after=_skp_state(skp))
    except IntegrityError:
        if not savepoint:  # the caller's transaction is spoilt: its own savepoint settles it
            raise
        return None
    return skp


# --- plan --------------------------------------------------------------------------------------


MAX_RHK = 30  # rows of a plan
MAX_IKI = 5  # indicators of one RHK: quantity, quality, time, cost, and one more


@dataclass
class IkiInput:
    """One indicator of an RHK as written on the plan form: the target is text until checked."""

    indikator: str
    aspek: str = "kuantitas"
    target: str = ""
    satuan: str = ""


@dataclass
class RhkInput:
    """One RHK of the plan. Its first indicator may be given in the flat fields (``indikator``,
    ``aspek``, ``target``, ``satuan``), further ones (or all of them) in ``iki``."""

    jenis: str
    teks: str
    indikator: str = ""
    aspek: str = "kuantitas"
    target: str = ""
    satuan: str = ""
    rhk_atasan_id: int | None = None
    iki: list[IkiInput] = field(default_factory=list)

    def indicators(self) -> list[IkiInput]:
        flat = any((v or "").strip() for v in (self.indikator, self.target, self.satuan))
        first = [IkiInput(self.indikator, self.aspek, self.target, self.satuan)] if flat else []
        return first + list(self.iki)


def parse_number(value: str, *, column) -> Decimal | None:
    """A number as written by a person (``1.250,5``, ``1250.5``, ``75``) for the decimal column
    ``column`` (a model field); ``ValueError`` with the reason when it is not one the column can store."""
    cleaned = (value or "").strip().replace(" ", "")
    if not cleaned:
        return None
    if "," in cleaned and "." in cleaned:
        cleaned = cleaned.replace(".", "")
    cleaned = cleaned.replace(",", ".")
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(_("is not a number")) from None
    if not number.is_finite():
        raise ValueError(_("is not a number"))
    # the bounds of the column that stores it: never rounded or refused by the database later
    if number.normalize().as_tuple().exponent < -column.decimal_places:  # 1,500 is fine, 0,001 is not
        raise ValueError(_("has more than %(n)d decimal places") % {"n": column.decimal_places})
    if abs(number) >= Decimal(10) ** (column.max_digits - column.decimal_places):
        raise ValueError(
            _("is too large (at most %(n)d digits before the decimal point)")
            % {"n": column.max_digits - column.decimal_places}
        )
    return number


def _parse_target(value: str) -> Decimal | None:
    return parse_number(value, column=Iki._meta.get_field("target_angka"))


def _iki_problems(pendekatan: str, iki: IkiInput) -> list[str]:
    problems = []
    if not iki.indikator.strip():
        problems.append(_("Give an indicator (IKI) for this result."))
    if iki.aspek not in AspekIki.values:
        problems.append(_("Choose the aspect of the indicator (quantity, quality, time or cost)."))
    if pendekatan == Pendekatan.KUANTITATIF:
        try:
            number = _parse_target(iki.target)
        except ValueError as exc:
            problems.append(
                _("The target %(value)s %(reason)s; a quantitative plan needs numeric targets.")
                % {"value": iki.target[:40], "reason": exc}
            )
        else:
            if number is None:
                problems.append(_("A quantitative plan needs a numeric target."))
            elif number < 0:
                problems.append(_("A target cannot be negative."))
    elif not iki.target.strip():
        problems.append(_("Give a target for this result."))
    return problems


def plan_validate(
    *,
    pendekatan: str,
    rows: list[RhkInput],
    allowed_atasan: set[int],
    require_link: bool = False,
    assessor_name: str = "",
) -> dict[int, list[str]]:
    """Problems per row index (-1 for the plan as a whole), in the active language; a problem of
    one indicator names it (``IKI 2: ...``). ``require_link``: every core RHK must support one of
    ``allowed_atasan`` (the assessor's approved RHK; none yet: the plan cannot be submitted)."""
    problems: dict[int, list[str]] = {}
    if pendekatan not in Pendekatan.values:
        problems.setdefault(-1, []).append(_("Choose the plan's approach (quantitative or qualitative)."))
    if not rows:
        problems.setdefault(-1, []).append(_("The plan has no RHK: add at least one core (utama) result."))
    elif not any(r.jenis == JenisRhk.UTAMA for r in rows):
        problems.setdefault(-1, []).append(_("The plan needs at least one core (utama) RHK."))
    if len(rows) > MAX_RHK:
        problems.setdefault(-1, []).append(
            _("The plan has %(n)d RHK; at most %(max)d are allowed.") % {"n": len(rows), "max": MAX_RHK}
        )
    waiting = require_link and not allowed_atasan and any(r.jenis == JenisRhk.UTAMA for r in rows)
    if waiting:
        problems.setdefault(-1, []).append(
            _(
                "Your assessor %(name)s has no approved plan yet, and every core (utama) RHK must support "
                "one of its RHK. Save your draft; you can submit it once that plan is approved."
            )
            % {"name": assessor_name or _("(unknown)")}
        )
    for i, row in enumerate(rows[: MAX_RHK + 1]):
        if row.jenis not in JenisRhk.values:
            problems.setdefault(i, []).append(_("Choose whether the result is core (utama) or additional (tambahan)."))
        if not row.teks.strip():
            problems.setdefault(i, []).append(_("Describe the planned result."))
        indicators = row.indicators()
        if not indicators:
            problems.setdefault(i, []).append(_("Give an indicator (IKI) for this result."))
        elif len(indicators) > MAX_IKI:
            problems.setdefault(i, []).append(
                _("The result has %(n)d indicators; at most %(max)d are allowed.")
                % {"n": len(indicators), "max": MAX_IKI}
            )
        for j, iki in enumerate(indicators[: MAX_IKI + 1], start=1):
            for message in _iki_problems(pendekatan, iki):
                problems.setdefault(i, []).append(
                    message if len(indicators) == 1 else _("IKI %(m)d: %(msg)s") % {"m": j, "msg": message}
                )
        if row.rhk_atasan_id and row.rhk_atasan_id not in allowed_atasan:
            problems.setdefault(i, []).append(_("The supported RHK must be one of your assessor's RHK."))
        elif require_link and not waiting and row.jenis == JenisRhk.UTAMA and not row.rhk_atasan_id:
            problems.setdefault(i, []).append(
                _("Choose the assessor's RHK this core result supports (RHK atasan yang diintervensi).")
            )
    return problems


def _forget_rhk(skp: Skp) -> None:
    getattr(skp, "_prefetched_objects_cache", {}).pop("rhk_set", None)


def assessor_rhk_choices(skp: Skp) -> list[Rhk]:
    """RHK of the assessor's approved plan in the same period, which the employee's RHK can support."""
    return assessor_plan(skp).choices


def _plan_problems(
    skp: Skp, pendekatan: str, rows: list[RhkInput], *, submitting: bool, link: AssessorPlan | None = None
) -> list[str]:
    """The plan's problems as sentences naming the row. The link to the assessor's RHK is
    required only to submit: a draft may wait for the assessor's plan. ``link``: the assessor's
    plan as the caller read it in this transaction (read here when not given)."""
    if link is None:
        link = assessor_plan(skp) if submitting or any(r.rhk_atasan_id for r in rows) else AssessorPlan()
    problems = plan_validate(
        pendekatan=pendekatan,
        rows=rows,
        allowed_atasan={r.pk for r in link.choices},
        require_link=submitting and link.required,
        assessor_name=skp.penilai_nama,
    )
    return [
        (_("RHK %(n)d: %(msg)s") % {"n": i + 1, "msg": m}) if i >= 0 else m
        for i, msgs in sorted(problems.items())
        for m in msgs
    ]


def plan_save(
    *,
    skp: Skp,
    by,
    pendekatan: str,
    rows: list[RhkInput],
    status: str | None = None,
    link: AssessorPlan | None = None,
) -> None:
    """Replace the plan's RHK and IKI. Raises ``ValidationError`` (nothing saved) on bad input.
    ``link``: ``assessor_plan(skp)`` when the caller read it already in this transaction (the
    plan's page reads it for its choices); read here otherwise."""
    problems = _plan_problems(skp, pendekatan, rows, submitting=status == StatusSkp.DIAJUKAN, link=link)
    if problems:
        raise ValidationError(problems)
    # the draft is saved from its page outside a task too: the actor of every row is ``by``
    with transaction.atomic(savepoint=False), acting_as(by):
        existing = list(skp.rhk_set.order_by("urutan", "pk").prefetch_related("iki_set"))
        before = {"pendekatan": skp.pendekatan, "rhk": len(existing)}
        skp.pendekatan = pendekatan
        skp_transition(
            skp=skp,
            action=AuditAction.PLAN_SUBMITTED if status == StatusSkp.DIAJUKAN else AuditAction.PLAN_SAVED,
            by=by,
            status=status or skp.status,
            fields=["pendekatan"],
            before=before,
            after={"pendekatan": pendekatan, "rhk": len(rows), "iki": sum(len(r.indicators()) for r in rows)},
        )
        # Update rows in place, so RHK of subordinates that support them keep their link.
        _forget_rhk(skp)
        fresh_rhk: list[tuple[Rhk, list[Iki]]] = []
        fresh_iki: list[Iki] = []
        stale_iki: list[Iki] = []
        for n, row in enumerate(rows, start=1):
            rhk = existing[n - 1] if n <= len(existing) else Rhk(skp=skp)
            rhk.urutan, rhk.jenis, rhk.teks, rhk.rhk_atasan_id = n, row.jenis, row.teks.strip(), row.rhk_atasan_id
            old = list(rhk.iki_set.all()) if rhk.pk else []
            wanted = row.indicators()
            ikis = []
            for m, given in enumerate(wanted, start=1):
                number = _parse_target(given.target) if pendekatan == Pendekatan.KUANTITATIF else None
                iki = old[m - 1] if m <= len(old) else Iki()
                iki.urutan = m
                iki.aspek = given.aspek or AspekIki.KUANTITAS
                iki.indikator = given.indikator.strip()
                iki.target_angka = number
                iki.satuan = given.satuan.strip()
                iki.target_kualitatif = "" if number is not None else given.target.strip()
                ikis.append(iki)
            stale_iki += old[len(wanted) :]
            if rhk.pk is None:
                fresh_rhk.append((rhk, ikis))
                continue
            rhk.save()
            for iki in ikis:
                iki.rhk = rhk
                if iki.pk is None:
                    fresh_iki.append(iki)
                else:
                    iki.save()
        if fresh_rhk:
            created = create_with_history([r for r, _i in fresh_rhk], Rhk, by=by)
            for rhk, (_r, ikis) in zip(created, fresh_rhk, strict=True):
                for iki in ikis:
                    iki.rhk = rhk
                    fresh_iki.append(iki)
        if fresh_iki:
            create_with_history(fresh_iki, Iki, by=by)
        for stale in stale_iki:
            stale.delete()
        for stale in existing[len(rows) :]:
            stale.delete()
        if status != StatusSkp.DIAJUKAN:
            _tell_assessor_staff_waiting(skp, rows, link)


def _tell_assessor_staff_waiting(skp: Skp, rows: list[RhkInput], link: AssessorPlan | None) -> None:
    """A draft saved while the assessor's plan is not approved, with a core RHK that must support
    one of its RHK: tell the assessor their staff are waiting (once per employee's plan)."""
    if not any(r.jenis == JenisRhk.UTAMA for r in rows) or skp.penilai_id is None:
        return
    link = link if link is not None else assessor_plan(skp)
    assessor = skp.penilai.user if link.waiting else None
    if assessor is None:
        return
    tautan = process_link(flow_of(AppraisalProcess), link.assessor_skp.process_id)
    marker = f"{tautan}#menunggu-{skp.pk}"
    if Notifikasi.objects.filter(penerima=assessor, tautan=marker[:255]).exists():
        return
    notify(
        user=assessor,
        judul=_("Your staff are waiting for your approved SKP"),
        isi=_(
            "%(name)s cannot submit their %(year)s plan until yours is approved: each of their core RHK "
            "must support one of your RHK. Submit your plan to your assessor."
        )
        % {"name": skp.pegawai.nama, "year": skp.periode.tahun},
        tautan=marker[:255],
    )


def plan_submit(
    *, skp: Skp, by, pendekatan: str, rows: list[RhkInput], activation=None, link: AssessorPlan | None = None
) -> None:
    """The employee submits the plan to the assessor (Draft/Dikembalikan → Diajukan). ``link``:
    as for ``plan_save``."""
    with task_execution(process_pk=skp.process_id, node=_node("draft_plan"), by=by, activation=activation, skp=skp):
        plan_save(skp=skp, by=by, pendekatan=pendekatan, rows=rows, status=StatusSkp.DIAJUKAN, link=link)


def required_expectations(skp: Skp) -> list[str]:
    """The behaviour values whose expectation the assessor must write to approve this plan (the
    government's choice; none by default: expectations "may be given")."""
    chosen = set(skp.pegawai.instansi.ekspektasi_wajib or [])
    return [v for v in NilaiPerilaku.values if v in chosen]


def plan_decide(
    *, skp: Skp, by, approve: bool, note: str = "", expectations: dict[str, str] | None = None, activation=None
) -> None:
    """The assessor approves the plan, with a behaviour expectation for any of the seven values
    (those the government requires must be written), or returns it with a required note."""
    expectations = {k: (v or "").strip() for k, v in (expectations or {}).items()}
    given = {v: {"ekspektasi": expectations[v]} for v in NilaiPerilaku.values if expectations.get(v)}
    errors = []
    if not approve and not note.strip():
        errors.append(_("Write a note saying what the employee should revise."))
    if approve:
        labels = dict(NilaiPerilaku.choices)
        missing = [str(labels[v]) for v in required_expectations(skp) if not expectations.get(v)]
        if missing:
            errors.append(
                _("Write an expectation for these behaviour values: %(values)s.") % {"values": ", ".join(missing)}
            )
    if errors:
        raise ValidationError(errors)
    with task_execution(process_pk=skp.process_id, node=_node("approve_plan"), by=by, activation=activation, skp=skp):
        if approve:
            existing = {o.nilai: o for o in EkspektasiPerilaku.objects.filter(skp=skp)}
            _upsert_rows(
                EkspektasiPerilaku,
                parent={"skp": skp},
                key="nilai",
                fields=["ekspektasi"],
                by=by,
                values=given,
                existing=existing,
            )
            for nilai, emptied in existing.items():
                if nilai not in given:
                    emptied.delete()
        else:
            skp.catatan_pengembalian = note.strip()
        skp_transition(
            skp=skp,
            action=AuditAction.PLAN_APPROVED if approve else AuditAction.PLAN_RETURNED,
            by=by,
            status=StatusSkp.DISETUJUI if approve else StatusSkp.DIKEMBALIKAN,
            fields=["catatan_pengembalian"],
            reason="" if approve else note,
            change_reason="" if approve else note.strip(),
            after={"ekspektasi": sorted(given)} if approve else None,
        )


# --- reviews -----------------------------------------------------------------------------------


def _mark_reviewed(evaluasi: Evaluasi) -> None:
    # the instance is the one ``reviews_of`` holds: the flow's next questions see it reviewed
    evaluasi.dinilai = timezone.now()


def evaluasi_for(skp: Skp, window, **initial) -> tuple[Evaluasi, bool]:
    """The review of ``skp`` for ``window`` and whether it was created just now (with ``initial``
    field values, when there is none yet; then no rows hang from it). The self-review and the
    review of a window share it."""
    evaluasi = reviews_of(skp).get(window.pk)
    if evaluasi is None:
        # The review keeps the SKP's own snapshot (the employee may have moved since it opened).
        evaluasi = Evaluasi(
            skp=skp,
            jendela=window,
            penilai_id=skp.penilai_id,
            penilai_nama=skp.penilai_nama,
            unit_nama=skp.unit_nama,
            jabatan_nama=skp.jabatan_nama,
            **initial,
        )
        evaluasi.save()
        remember_review(skp, evaluasi)
        return evaluasi, True
    if initial:
        for name, value in initial.items():
            setattr(evaluasi, name, value)
        evaluasi.save()
    return evaluasi, False


@dataclass
class RealisasiInput:
    rhk_id: int
    realisasi: str
    bukti_file: object = None  # an UploadedFile
    bukti_tautan: str = ""
    iki: dict[int, str] = field(default_factory=dict)  # IKI id → what was achieved, as written (optional)


def _iki_values(rhk: dict[int, Rhk], given: dict[int, RealisasiInput]) -> tuple[dict[int, dict], set[int], list[str]]:
    """Per-IKI realisation of a self-review: the values to store by IKI id (a number and its
    achievement where the target is numeric, a text otherwise), the IKI left blank, and the
    problems naming RHK and IKI."""
    column = RealisasiIki._meta.get_field("nilai_angka")
    values, blank, errors = {}, set(), []
    for rhk_id, row in given.items():
        item = rhk.get(rhk_id)
        if item is None or not row.iki:
            continue
        ikis = {i.pk: (n, i) for n, i in enumerate(item.iki_set.all(), start=1)}
        for iki_id, raw in row.iki.items():
            if iki_id not in ikis:
                errors.append(
                    _("RHK %(n)d: the review names an indicator that is not in this RHK.") % {"n": item.urutan}
                )
                continue
            n, iki = ikis[iki_id]
            text = (raw or "").strip()
            if not text:
                blank.add(iki_id)
                continue
            where = {"n": item.urutan, "m": n}
            if iki.target_angka is None:
                values[iki_id] = {"nilai_angka": None, "nilai_teks": text[:2000], "capaian": None}
                continue
            try:
                number = parse_number(text, column=column)
            except ValueError as exc:
                errors.append(
                    _("RHK %(n)d, IKI %(m)d: the achievement %(value)s %(reason)s; the target is a number.")
                    % {**where, "value": text[:40], "reason": exc}
                )
                continue
            if number < 0:
                errors.append(_("RHK %(n)d, IKI %(m)d: an achievement cannot be negative.") % where)
                continue
            values[iki_id] = {
                "nilai_angka": number,
                "nilai_teks": "",
                "capaian": capaian_persen(aspek=iki.aspek, target=iki.target_angka, realisasi=number),
            }
    return values, blank, errors


def self_review_submit(
    *, skp: Skp, by, rows: list[RealisasiInput], catatan: str = "", final: bool = False, activation=None
) -> Evaluasi:
    """The employee reports realisasi and evidence for every RHK (periodic or final self-review)."""
    rhk = {r.pk: r for r in rhk_of(skp)}
    errors = []
    given = {row.rhk_id: row for row in rows}
    for pk, item in rhk.items():
        row = given.get(pk)
        if row is None or not row.realisasi.strip():
            errors.append(_("RHK %(n)d: describe what was achieved.") % {"n": item.urutan})
        elif (problem := evidence_problem(row.bukti_file)) is not None:
            errors.append(problem)
    if set(given) - set(rhk):
        errors.append(_("The review names an RHK that is not in this plan."))
    iki_values, iki_blank, iki_errors = _iki_values(rhk, given)
    errors += iki_errors
    if errors:
        raise ValidationError(errors)
    node = _node("final_self_review" if final else "self_review")
    window = current_window(skp, kind=JenisJendela.AKHIR if final else JenisJendela.PERIODIK)
    with task_execution(process_pk=skp.process_id, node=node, by=by, activation=activation, skp=skp):
        evaluasi, created = evaluasi_for(skp, window, catatan_pegawai=catatan.strip(), diajukan=timezone.now())
        values = {}
        for pk, row in given.items():
            values[pk] = {"realisasi": row.realisasi.strip(), "bukti_tautan": row.bukti_tautan.strip()}
            if row.bukti_file is not None:
                values[pk] |= {"bukti_file": row.bukti_file, "bukti_nama": original_name(row.bukti_file.name)}
        _upsert_rows(
            RealisasiRhk,
            parent={"evaluasi": evaluasi},
            key="rhk_id",
            by=by,
            fields=["realisasi", "bukti_tautan", "bukti_file", "bukti_nama"],
            values=values,
            fresh=created,
        )
        _upsert_rows(
            RealisasiIki,
            parent={"evaluasi": evaluasi},
            key="iki_id",
            by=by,
            fields=["nilai_angka", "nilai_teks", "capaian"],
            values=iki_values,
            fresh=created,
        )
        if iki_blank and not created:
            for emptied in RealisasiIki.objects.filter(evaluasi=evaluasi, iki_id__in=iki_blank):
                emptied.delete()
        skp_transition(
            skp=skp,
            action=AuditAction.FINAL_SELF_REVIEW_SUBMITTED if final else AuditAction.SELF_REVIEW_SUBMITTED,
            by=by,
            status=StatusSkp.EVALUASI_AKHIR if final else StatusSkp.EVALUASI_PERIODIK,
            after={"evaluasi": evaluasi.pk, "window": window.nama, "rhk": len(values), "iki": len(iki_values)},
        )
    return evaluasi


@dataclass
class FeedbackInput:
    umpan_balik: str = ""
    rating: str = ""


def _check_ratings(skp, rhk_feedback, perilaku, required: bool) -> list[str]:
    errors = []
    for item in rhk_of(skp):
        fb = rhk_feedback.get(item.pk)
        if required and (fb is None or not fb.rating):
            errors.append(_("RHK %(n)d: choose a rating.") % {"n": item.urutan})
        elif fb is not None and fb.rating and fb.rating not in Rating.values:
            errors.append(_("RHK %(n)d: %(value)r is not a rating.") % {"n": item.urutan, "value": fb.rating})
    for value, label in NilaiPerilaku.choices:
        fb = perilaku.get(value)
        if fb is None:
            if required:
                errors.append(_("%(value)s: choose a rating.") % {"value": label})
            continue
        if required and not fb.rating:
            errors.append(_("%(value)s: choose a rating.") % {"value": label})
        elif fb.rating and fb.rating not in Rating.values:
            errors.append(_("%(value)s: %(rating)r is not a rating.") % {"value": label, "rating": fb.rating})
    return errors


def _write_feedback(evaluasi, rhk_feedback, perilaku, by):
    # Behaviour feedback is written only by a review, which marks the evaluation reviewed: a review
    # not yet recorded has none to look up (the self-review wrote the achievement rows).
    first_review = evaluasi.dinilai is None
    _upsert_rows(
        RealisasiRhk,
        parent={"evaluasi": evaluasi},
        key="rhk_id",
        fields=["umpan_balik", "rating"],
        by=by,
        values={pk: {"umpan_balik": fb.umpan_balik.strip(), "rating": fb.rating} for pk, fb in rhk_feedback.items()},
    )
    _upsert_rows(
        UmpanBalikPerilaku,
        parent={"evaluasi": evaluasi},
        key="nilai",
        fields=["umpan_balik", "rating"],
        by=by,
        values={v: {"umpan_balik": fb.umpan_balik.strip(), "rating": fb.rating} for v, fb in perilaku.items()},
        fresh=first_review,
    )


def _kept_ratings(suggestion, hk: str, alasan_hk: str, pr: str, alasan_pr: str) -> tuple[str, str, list[str]]:
    """The two ratings the assessor keeps (empty: the suggestion) and the problems: a rating that
    is not one, or a departure from the suggestion without a written reason."""
    errors = [
        _("%(value)r is not a rating.") % {"value": value} for value in (hk, pr) if value and value not in Rating.values
    ]
    if errors:
        return "", "", errors
    hk, pr = hk or suggestion.hasil_kerja, pr or suggestion.perilaku
    if hk != suggestion.hasil_kerja and not alasan_hk.strip():
        errors.append(_("You departed from the suggested work-result rating: write the reason."))
    if pr != suggestion.perilaku and not alasan_pr.strip():
        errors.append(_("You departed from the suggested behaviour rating: write the reason."))
    return hk, pr, errors


@step_memo()  # the rules looked up to check the ratings are the ones the step then scores with
def review_submit(
    *,
    skp: Skp,
    by,
    rhk_feedback: dict[int, FeedbackInput],
    perilaku: dict[str, FeedbackInput],
    rating_hasil_kerja: str = "",
    alasan_hasil_kerja: str = "",
    rating_perilaku: str = "",
    alasan_perilaku: str = "",
    activation=None,
) -> Evaluasi:
    """The assessor's periodic review: feedback and optional interim ratings per RHK and per
    value. The rules suggest the window's two ratings from the interim ratings given (an item
    not rated counts as neither above nor below); the assessor may depart from a suggestion only
    with a written reason. The two ratings give the window's predikat and its TPP percentage
    (``HasilPeriodik``), from the rule version in force when the window closes."""
    errors = _check_ratings(skp, rhk_feedback, perilaku, required=False)
    if errors:
        raise ValidationError(errors)
    window = current_window(skp, kind=JenisJendela.PERIODIK)
    rhk_ratings = {pk: fb.rating for pk, fb in rhk_feedback.items() if fb.rating}
    perilaku_ratings = {v: fb.rating for v, fb in perilaku.items() if fb.rating}
    book = periodic_rulebook(window)
    try:
        suggestion = suggest_ratings(skp=skp, rhk_ratings=rhk_ratings, perilaku_ratings=perilaku_ratings, book=book)
    except RuleEvaluationError:
        suggestion = None  # no rules in force for the window: the review is recorded without a predikat
    scored = None
    if suggestion is not None:
        hk, pr, errors = _kept_ratings(
            suggestion, rating_hasil_kerja, alasan_hasil_kerja, rating_perilaku, alasan_perilaku
        )
        if errors:
            raise ValidationError(errors)
        scored = PeriodicReview(
            rhk_ratings,
            perilaku_ratings,
            suggestion,
            hk,
            pr,
            alasan_hasil_kerja.strip() if hk != suggestion.hasil_kerja else "",
            alasan_perilaku.strip() if pr != suggestion.perilaku else "",
        )
    with task_execution(process_pk=skp.process_id, node=_node("review"), by=by, activation=activation, skp=skp):
        evaluasi, _created = evaluasi_for(skp, window)
        first_review = evaluasi.dinilai is None
        _write_feedback(evaluasi, rhk_feedback, perilaku, by)
        _mark_reviewed(evaluasi)
        evaluasi.save()
        result = {}
        if scored is not None:
            hasil = periodic_score(evaluasi=evaluasi, review=scored, book=book, by=by, fresh=first_review)
            result = {
                "rating_hasil_kerja_saran": hasil.rating_hasil_kerja_saran,
                "rating_hasil_kerja": hasil.rating_hasil_kerja,
                "rating_perilaku_saran": hasil.rating_perilaku_saran,
                "rating_perilaku": hasil.rating_perilaku,
                "predikat": hasil.predikat,
                "tpp_persen": str(hasil.tpp_persen) if hasil.tpp_persen is not None else None,
                "rule_set": hasil.rule_set,
                "rule_version": hasil.rule_version,
            }
        # the plan's state does not change: the event is about the SKP, nothing of it is saved
        audit_record(
            action=AuditAction.REVIEW_SUBMITTED,
            obj=skp,
            by=by,
            after={"evaluasi": evaluasi.pk, "window": window.nama, **_ratings(rhk_feedback, perilaku), **result},
            reason=" / ".join(r for r in (scored.alasan_hasil_kerja, scored.alasan_perilaku) if r) if scored else "",
        )
    return evaluasi


@step_memo()  # the rules looked up to check the ratings are the ones the step then scores with
def final_review_submit(
    *,
    skp: Skp,
    by,
    rhk_feedback: dict[int, FeedbackInput],
    perilaku: dict[str, FeedbackInput],
    rating_hasil_kerja: str = "",
    alasan_hasil_kerja: str = "",
    rating_perilaku: str = "",
    alasan_perilaku: str = "",
    activation=None,
) -> Evaluasi:
    """The assessor rates every RHK and value; the rules suggest the two ratings, and the assessor
    may depart from a suggestion only with a written reason. The scoring that follows in the
    same transaction takes the ratings, the suggestion and the rule version from here."""
    errors = _check_ratings(skp, rhk_feedback, perilaku, required=True)
    if errors:
        raise ValidationError(errors)
    book = rulebook_for(skp)  # this decision looks the version in force up afresh
    rhk_ratings = {pk: fb.rating for pk, fb in rhk_feedback.items()}
    perilaku_ratings = {v: fb.rating for v, fb in perilaku.items()}
    suggestion = suggest_ratings(skp=skp, rhk_ratings=rhk_ratings, perilaku_ratings=perilaku_ratings, book=book)
    hk = rating_hasil_kerja or suggestion.hasil_kerja
    pr = rating_perilaku or suggestion.perilaku
    if hk != suggestion.hasil_kerja and suggestion.hasil_kerja_tetap:
        errors.append(
            _(
                "The work-result rating of a unit head equals the organisation achievement of their unit "
                "and cannot be changed here."
            )
        )
    elif hk != suggestion.hasil_kerja and not alasan_hasil_kerja.strip():
        errors.append(_("You departed from the suggested work-result rating: write the reason."))
    if pr != suggestion.perilaku and not alasan_perilaku.strip():
        errors.append(_("You departed from the suggested behaviour rating: write the reason."))
    if errors:
        raise ValidationError(errors)
    window = review_window(skp, kind=JenisJendela.AKHIR)
    run = ScoringRun(skp_id=skp.pk, rules=book, review=AnnualReview(rhk_ratings, perilaku_ratings, suggestion))
    with (
        scoring_run(run),
        task_execution(process_pk=skp.process_id, node=_node("final_review"), by=by, activation=activation, skp=skp),
    ):
        evaluasi, _created = evaluasi_for(skp, window)
        run.first_score = evaluasi.dinilai is None  # never reviewed, so never scored
        _write_feedback(evaluasi, rhk_feedback, perilaku, by)
        _mark_reviewed(evaluasi)
        evaluasi.save()
        skp.rating_hasil_kerja_saran, skp.rating_hasil_kerja = suggestion.hasil_kerja, hk
        skp.rating_perilaku_saran, skp.rating_perilaku = suggestion.perilaku, pr
        skp.alasan_hasil_kerja = alasan_hasil_kerja.strip() if hk != suggestion.hasil_kerja else ""
        skp.alasan_perilaku = alasan_perilaku.strip() if pr != suggestion.perilaku else ""
        reason = " / ".join(r for r in (skp.alasan_hasil_kerja, skp.alasan_perilaku) if r)
        skp_transition(
            skp=skp,
            action=AuditAction.FINAL_REVIEW_SUBMITTED,
            by=by,
            fields=[
                "rating_hasil_kerja_saran",
                "rating_hasil_kerja",
                "rating_perilaku_saran",
                "rating_perilaku",
                "alasan_hasil_kerja",
                "alasan_perilaku",
            ],
            reason=reason,
            change_reason=reason,
            after={
                "evaluasi": evaluasi.pk,
                "window": window.nama,
                **_ratings(rhk_feedback, perilaku),
                "rating_hasil_kerja_saran": suggestion.hasil_kerja,
                "rating_hasil_kerja": hk,
                "rating_perilaku_saran": suggestion.perilaku,
                "rating_perilaku": pr,
            },
        )
    return evaluasi


def _skp_state(skp: Skp) -> dict:
    """What an audit event records about a new SKP."""
    return {
        "status": skp.status,
        "pegawai": skp.pegawai_id,
        "periode": skp.periode_id,
        "penilai": skp.penilai_id,
        "unit": skp.unit_id,
        "jabatan": skp.jabatan_nama,
        "process": skp.process_id,
        "urutan": skp.urutan,
        "tanggal_mulai": skp.tanggal_mulai.isoformat(),
        "tanggal_selesai": skp.tanggal_selesai.isoformat(),
    }


def _ratings(rhk_feedback: dict, perilaku: dict) -> dict:
    return {
        "rhk_ratings": {str(pk): fb.rating for pk, fb in rhk_feedback.items()},
        "perilaku_ratings": {v: fb.rating for v, fb in perilaku.items()},
    }
