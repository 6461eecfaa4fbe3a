"""Reads of the organisation directory: who assesses whom, and who may see what.

Assessor resolution follows shared/domain.md §4 from the unit tree: the holder of the head post of
the employee's unit assesses its members; a unit head is assessed by the head of the parent unit;
a post held by nobody passes the duty upwards. An active Plt/Plh appointment on the date stands in
for the post holder (when the government allows acting officials to assess), and an explicit
per-employee override wins over everything.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from ..cache import ProcessCache
from ..models import Delegasi, Instansi, Pegawai, PenugasanPlt, Unit


@dataclass
class OrgSnapshot:
    """The head-post holders of one government on one date, loaded once, so resolving the
    assessors of thousands of employees costs a handful of queries."""

    instansi: Instansi
    on: dt.date
    units: dict[int, Unit] = field(default_factory=dict)
    holders: dict[int, Pegawai] = field(default_factory=dict)  # head jabatan id -> holder
    acting: dict[int, Pegawai] = field(default_factory=dict)  # head jabatan id -> Plt/Plh
    delegates: dict[int, Pegawai] = field(default_factory=dict)  # delegating pegawai id -> delegate
    _people: dict[int, Pegawai] = field(default_factory=dict)

    @classmethod
    def load(cls, instansi: Instansi | int, on: dt.date | None = None) -> OrgSnapshot:
        if not isinstance(instansi, Instansi):
            instansi = Instansi.objects.get(pk=instansi)
        snap = cls(instansi=instansi, on=on or timezone.localdate())
        snap.units = {u.pk: u for u in Unit.objects.filter(instansi=instansi, aktif=True)}
        head_posts = {u.jabatan_kepala_id: u.pk for u in snap.units.values() if u.jabatan_kepala_id}
        holders = Pegawai.objects.filter(instansi=instansi, aktif=True, jabatan_id__in=head_posts)
        for p in holders.select_related("user", "jabatan"):
            if head_posts[p.jabatan_id] == p.unit_id:
                snap.holders[p.jabatan_id] = p
                snap._people[p.pk] = p
        if instansi.plt_boleh_menilai:
            appointments = PenugasanPlt.objects.filter(
                jabatan_id__in=head_posts,
                tanggal_mulai__lte=snap.on,
                tanggal_selesai__gte=snap.on,
                pegawai__aktif=True,
            ).select_related("pegawai__user", "pegawai__jabatan")
            for a in appointments:
                snap.acting[a.jabatan_id] = a.pegawai
                snap._people[a.pegawai_id] = a.pegawai
        delegations = Delegasi.objects.filter(
            pemberi__instansi=instansi, mulai__lte=snap.on, selesai__gte=snap.on, penerima__aktif=True
        ).select_related("penerima__user")
        for d in delegations.order_by("mulai", "pk"):  # the latest start wins
            snap.delegates[d.pemberi_id] = d.penerima
        return snap

    def delegate_of(self, pegawai: Pegawai) -> Pegawai:
        """Who acts for ``pegawai`` as assessor on the snapshot's date (see ``delegate_of``)."""
        return self.delegates.get(pegawai.pk, pegawai)

    def holder_of(self, unit: Unit) -> Pegawai | None:
        """Who acts as head of ``unit`` on the snapshot's date: an acting official (whose
        appointment means the holder is absent), else the holder, else nobody."""
        if not unit.jabatan_kepala_id:
            return None
        return self.acting.get(unit.jabatan_kepala_id) or self.holders.get(unit.jabatan_kepala_id)

    def _person(self, pk: int) -> Pegawai | None:
        if pk not in self._people:
            self._people[pk] = Pegawai.objects.filter(pk=pk, aktif=True).first()
        return self._people[pk]

    def officials_above(self, pegawai: Pegawai) -> Iterator[Pegawai]:
        """The officials above ``pegawai``, nearest first: the explicit override, then whoever acts
        as head of each unit up the tree (starting from the parent unit for a unit's own head),
        never ``pegawai`` themself — a post ``pegawai`` holds or stands in for passes upwards."""
        if pegawai.penilai_override_id:
            override = self._person(pegawai.penilai_override_id)
            if override is not None and override.pk != pegawai.pk:
                yield override
        unit = self.units.get(pegawai.unit_id)
        if unit is not None and unit.jabatan_kepala_id and unit.jabatan_kepala_id == pegawai.jabatan_id:
            unit = self.units.get(unit.parent_id) if unit.parent_id else None
        seen: set[int] = set()
        while unit is not None and unit.pk not in seen:
            seen.add(unit.pk)
            head = self.holder_of(unit)
            if head is not None and head.pk != pegawai.pk:
                yield head
            unit = self.units.get(unit.parent_id) if unit.parent_id else None

    def assessor_of(self, pegawai: Pegawai) -> Pegawai | None:
        return next(self.officials_above(pegawai), None)

    def assessor_superior_of(self, pegawai: Pegawai) -> Pegawai | None:
        """The Atasan Pejabat Penilai: the assessor's own assessor — passing over ``pegawai``
        themself (say, standing in for the post above their assessor). At the top of the tree (the
        Governor assesses JPT and has no assessor) the assessor is also the superior."""
        assessor = self.assessor_of(pegawai)
        if assessor is None:
            return None
        return next((p for p in self.officials_above(assessor) if p.pk != pegawai.pk), None) or assessor

    def official_for(self, pegawai: Pegawai, *, barred: set[int]) -> Pegawai | None:
        """The nearest official above ``pegawai`` who may act on a step of their appraisal: each
        official's delegate acts for them, and an official who is in ``barred`` (Pegawai ids), or
        whose delegate is, is passed over for the next one up. None at the top of the tree."""
        for official in self.officials_above(pegawai):
            acting = self.delegate_of(official)
            if official.pk not in barred and acting.pk not in barred:
                return acting
        return None


# Snapshots are reused for a short while by the process that loaded them. Any save or delete of an
# organisation record in this process drops them at once (see ``workflow.signals``); a change made
# by another process is seen at most SNAPSHOT_TTL seconds later, which is acceptable for routing
# new tasks (an acting appointment never starts mid-minute in practice).
SNAPSHOT_TTL = 60.0
_snapshots: ProcessCache[OrgSnapshot] = ProcessCache(SNAPSHOT_TTL)


def org_snapshot(instansi_id: int, on: dt.date | None = None) -> OrgSnapshot:
    """A (briefly cached) ``OrgSnapshot`` of one government on one date."""
    day = on or timezone.localdate()
    return _snapshots.get((instansi_id, day), lambda: OrgSnapshot.load(instansi_id, day))


forget_org_snapshots = _snapshots.clear


def assessor_of(pegawai: Pegawai, *, on: dt.date | None = None) -> Pegawai | None:
    """The Pejabat Penilai Kinerja of ``pegawai`` on date ``on`` (today by default)."""
    return org_snapshot(pegawai.instansi_id, on).assessor_of(pegawai)


def assessor_superior_of(pegawai: Pegawai, *, on: dt.date | None = None) -> Pegawai | None:
    """The Atasan Pejabat Penilai of ``pegawai`` on date ``on`` (today by default)."""
    return org_snapshot(pegawai.instansi_id, on).assessor_superior_of(pegawai)


def assessor_chain_has_cycle(pegawai: Pegawai, *, on: dt.date | None = None) -> bool:
    """True when following assessors upwards from ``pegawai`` (with its unsaved override) comes back
    to ``pegawai``: an override chain such as A → B → A."""
    snap = OrgSnapshot.load(pegawai.instansi_id, on)  # fresh: it is patched with the unsaved override
    snap._people[pegawai.pk] = pegawai
    seen = {pegawai.pk}
    current = snap.assessor_of(pegawai)
    while current is not None:
        if current.pk in seen:
            return True
        seen.add(current.pk)
        current = snap.assessor_of(current)
    return False


def team_of(assessor: Pegawai, *, on: dt.date | None = None) -> list[Pegawai]:
    """Active employees whose assessor is ``assessor`` on ``on``."""
    snap = org_snapshot(assessor.instansi_id, on)
    candidates = Pegawai.objects.filter(instansi_id=assessor.instansi_id, aktif=True).exclude(pk=assessor.pk)
    unit_ids = [u.pk for u in snap.units.values() if snap.holder_of(u) and snap.holder_of(u).pk == assessor.pk]
    if not unit_ids and not Pegawai.objects.filter(penilai_override=assessor).exists():
        return []
    child_units = [u.pk for u in snap.units.values() if u.parent_id in unit_ids]
    candidates = candidates.filter(
        Q(unit_id__in=unit_ids) | Q(unit_id__in=child_units) | Q(penilai_override=assessor)
    ).select_related("jabatan", "unit")
    team = [p for p in candidates if (a := snap.assessor_of(p)) is not None and a.pk == assessor.pk]
    return sorted(team, key=lambda p: (p.unit.nama, p.nama))


# --- roles ------------------------------------------------------------------------------------


def person_name(user) -> str:
    """How a person is shown in lists and histories: the employee's name, else the account's full
    name, else the login (select ``pegawai`` with the user to save a query)."""
    if user is None:
        return ""
    pegawai = getattr(user, "pegawai", None)  # a missing reverse one-to-one raises AttributeError
    return (pegawai.nama if pegawai is not None else "") or (user.get_full_name() or "").strip() or user.username


def pegawai_of(user) -> Pegawai | None:
    if not user.is_authenticated:
        return None
    return Pegawai.objects.filter(user=user).select_related("unit", "jabatan", "instansi").first()


def admin_instansi_ids(user) -> set[int]:
    """Governments ``user`` administers; a superuser administers all."""
    if not user.is_authenticated:
        return set()
    if user.is_superuser:
        return set(Instansi.objects.values_list("pk", flat=True))
    return set(user.peran_admin.values_list("instansi_id", flat=True))


def is_admin(user) -> bool:
    return bool(admin_instansi_ids(user))


def is_penilai(user) -> bool:
    """A pejabat penilai is derived from the org chart: someone who assesses at least one person."""
    pegawai = pegawai_of(user)
    return pegawai is not None and bool(team_of(pegawai))


def delegate_of(pegawai: Pegawai, *, on: dt.date | None = None) -> Pegawai:
    """Who acts for ``pegawai`` as assessor on ``on``: the named official of an active delegation
    (the latest started, if several), else ``pegawai`` themself."""
    return org_snapshot(pegawai.instansi_id, on).delegate_of(pegawai)
