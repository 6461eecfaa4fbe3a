"""Reads of the organisation's achievement (capaian kinerja organisasi): which units get a task,
who sets each unit's predikat (the leader above the unit), who may never set it (the unit's own
head: separation of duties), and the predikat in force for a team with who set it and when.

Which units get a task is a policy the regulation leaves open (SE MenPANRB 3/2023 names the
"unit kerja" without fixing its level): ``KINERJA_CAPAIAN_HEAD_POSTS`` lists the classes of head
post whose units get one (default: JPT Madya, JPT Pratama and Administrator — the Setda, each OPD,
and their secretariats, bidang and bagian). A unit below them (a seksi) reads the predikat of the
nearest unit above it that has one (``predikat_organisasi_of``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _

from project.memo import MISSING, recall, remember

from ..models import CapaianOrganisasi, PenetapanCapaian, Periode, Unit
from ..models.org import Pegawai
from .aggregates import between_writes
from .org import OrgSnapshot, admin_instansi_ids, org_snapshot, pegawai_of, person_name

DEFAULT_HEAD_POSTS = ("jpt_madya", "jpt_pratama", "administrator")


def capaian_head_posts() -> tuple[str, ...]:
    """The classes of head post whose units get an organisation-achievement task (setting)."""
    return tuple(getattr(settings, "KINERJA_CAPAIAN_HEAD_POSTS", None) or DEFAULT_HEAD_POSTS)


def capaian_units(periode: Periode) -> list[Unit]:
    """The units of the period's government whose organisation predikat is set by the leader above
    them: active, with a head post of a class in ``capaian_head_posts``, below the root (the
    government itself has nobody above it), in code order."""
    return list(
        Unit.objects.filter(
            instansi_id=periode.instansi_id,
            aktif=True,
            parent__isnull=False,
            jabatan_kepala__jenis__in=capaian_head_posts(),
        ).order_by("kode", "pk")
    )


def unit_heads(snap: OrgSnapshot, unit: Unit) -> list[Pegawai]:
    """Who heads ``unit`` on the snapshot's date: the holder of its head post and an acting
    official standing in (either may not set the unit's own achievement)."""
    if not unit.jabatan_kepala_id:
        return []
    heads = [snap.holders.get(unit.jabatan_kepala_id), snap.acting.get(unit.jabatan_kepala_id)]
    return [p for i, p in enumerate(heads) if p is not None and p not in heads[:i]]


def capaian_barred(snap: OrgSnapshot, unit: Unit) -> list[tuple[Pegawai, str]]:
    """Who may never set ``unit``'s achievement, each with the reason: its own head (and acting head)."""
    reason = _("%(name)s heads %(unit)s: nobody sets the achievement of their own unit.")
    return [(p, reason % {"name": p.nama, "unit": unit.nama}) for p in unit_heads(snap, unit)]


def capaian_leader(snap: OrgSnapshot, unit: Unit) -> Pegawai | None:
    """The leader above ``unit`` who sets its achievement: whoever acts as head of the parent unit
    (a Plt/Plh when one stands in, a delegate when the head delegated), a vacant post passing the
    duty further up; never the unit's own head. None at the top (the admins' queue then)."""
    barred = {p.pk for p in unit_heads(snap, unit)}
    current = snap.units.get(unit.parent_id) if unit.parent_id else None
    seen: set[int] = set()
    while current is not None and current.pk not in seen:
        seen.add(current.pk)
        head = snap.holder_of(current)
        if head is not None and head.pk not in barred:
            acting = snap.delegate_of(head)
            if acting.pk not in barred:
                return acting
        current = snap.units.get(current.parent_id) if current.parent_id else None
    return None


def penetapan_of_process(process) -> PenetapanCapaian | None:
    return getattr(process, "penetapan_capaian", None)


def penetapan_of_task(task) -> PenetapanCapaian | None:
    return penetapan_of_process(task.process)


def can_view_penetapan(user, penetapan: PenetapanCapaian) -> bool:
    """An admin of the unit's government, whoever holds or held a task of it, and the unit's head."""
    if not user.is_authenticated:
        return False
    if penetapan.unit.instansi_id in admin_instansi_ids(user):
        return True
    if penetapan.process_id and penetapan.process.task_set.filter(owner=user).exists():
        return True
    me = pegawai_of(user)
    return me is not None and any(p.pk == me.pk for p in unit_heads(org_snapshot(me.instansi_id), penetapan.unit))


def capaian_progress(periode: Periode) -> dict[str, int]:
    """For the admin's page: units that get a task, tasks started, tasks still open and units
    whose achievement is set, in ``periode``."""
    started = PenetapanCapaian.objects.filter(periode=periode)
    return {
        "units": len(capaian_units(periode)),
        "started": started.count(),
        "open": started.filter(process__status="NEW").count(),
        "set": CapaianOrganisasi.objects.filter(periode=periode).count(),
    }


def penetapan_visible_to(user):
    """The organisation-achievement tasks ``user`` may see (lists): an admin their government's,
    anyone the ones whose task they hold or held."""
    if not user.is_authenticated:
        return PenetapanCapaian.objects.none()
    condition = Q(unit__instansi_id__in=admin_instansi_ids(user)) | Q(process__task__owner=user)
    return PenetapanCapaian.objects.filter(condition).distinct()


@dataclass
class CapaianInForce:
    """The organisation predikat a unit's teams are checked against: the row (own or inherited
    from the nearest unit above), and whether it is inherited."""

    capaian: CapaianOrganisasi
    inherited: bool

    @property
    def set_by(self) -> str:
        return person_name(self.capaian.ditetapkan_oleh)


def capaian_in_force(*, periode: Periode, instansi_id: int, unit_id: int | None) -> CapaianInForce | None:
    """The ``CapaianOrganisasi`` in force for ``unit_id``: its own, else the nearest unit's above
    it (as ``selectors.scoring.predikat_organisasi_of`` reads it), with who set it; None if none."""
    units = org_snapshot(instansi_id).units
    chain, unit = [], units.get(unit_id)
    while unit is not None and unit.pk not in chain:
        chain.append(unit.pk)
        unit = units.get(unit.parent_id)

    def load():
        return {
            c.unit_id: c
            for c in CapaianOrganisasi.objects.filter(periode=periode, unit__in=chain)
            .select_related("unit", "ditetapkan_oleh__pegawai")
            .order_by()  # keyed by unit below: the model's ordering would join the period and government
        }

    # kept between writes: a team page reads the chain on every view, it changes when one is set
    found = between_writes(("capaian_chain", periode.pk, tuple(chain)), load)
    remember_recorded(periode_id=periode.pk, unit_ids=chain, rows=found)
    for pk in chain:
        if pk in found:
            return CapaianInForce(capaian=found[pk], inherited=pk != unit_id)
    return None


def recorded_predikats(*, periode_id: int, unit_ids) -> dict[int, str | None]:
    """The organisation predikat recorded for each of ``unit_ids`` in the period (None: none), in
    one query for those a page has not read yet: a team page asks for the unit chain three times
    (the achievement in force, the team's pattern, the level's calibration)."""
    found: dict[int, str | None] = {}
    missing = []
    for pk in unit_ids:
        value = recall(("recorded_predikat", periode_id, pk))
        if value is MISSING:
            missing.append(pk)
        else:
            found[pk] = value
    if missing:
        rows = dict(
            CapaianOrganisasi.objects.filter(periode_id=periode_id, unit_id__in=missing)
            .order_by()
            .values_list("unit_id", "predikat")
        )
        for pk in missing:
            found[pk] = rows.get(pk)
            remember(("recorded_predikat", periode_id, pk), found[pk])
    return found


def remember_recorded(*, periode_id: int, unit_ids, rows) -> None:
    """What a read of the ``CapaianOrganisasi`` of ``unit_ids`` found (``rows`` by unit id), for
    ``recorded_predikats`` later in the same page."""
    for pk in unit_ids:
        row = rows.get(pk)
        remember(("recorded_predikat", periode_id, pk), row.predikat if row is not None else None)
