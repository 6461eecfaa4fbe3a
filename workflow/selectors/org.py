"""Reads of the organisation directory: who assesses whom, and who may see what.

Assessor resolution follows shared/domain.md §4 from the unit tree (``models.org.OrgChart``): the
holder of the head post of the employee's unit assesses its members; a unit head is assessed by the
head of the parent unit; a post held by nobody passes the duty upwards. An active Plt/Plh
appointment on the date stands in for the post holder (when the government allows acting officials
to assess), and an explicit per-employee override wins over everything.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from project.memo import memoized
from project.sql import column, rows, table

from ..cache import ProcessCache
from ..models import Delegasi, Instansi, Pegawai, PeranAdmin
from ..models.org import OrgChart


@dataclass
class OrgSnapshot(OrgChart):
    """The organisation chart of one government on one date (``models.org.OrgChart``: head-post
    holders and acting officials) with the delegations in force, loaded once, so resolving the
    assessors of thousands of employees costs a handful of queries."""

    delegates: dict[int, Pegawai] = field(default_factory=dict)  # delegating pegawai id -> delegate

    @classmethod
    def load(cls, instansi: Instansi | int, on: dt.date | None = None) -> OrgSnapshot:
        snap = super().load(instansi, on)
        delegations = Delegasi.objects.filter(
            pemberi__instansi=snap.instansi, mulai__lte=snap.on, selesai__gte=snap.on, penerima__aktif=True
        ).select_related("penerima__user")
        for d in delegations.order_by("mulai", "pk"):  # the latest start wins
            snap.delegates[d.pemberi_id] = d.penerima
        return snap

    def named_by_override(self, pegawai_id: int) -> bool:
        """Whether an employee of the government names ``pegawai_id`` as their assessor by
        override (an index built once per snapshot: a home page does not ask on every view)."""
        index = self.__dict__.get("_override_assessors")
        if index is None:
            index = self.__dict__["_override_assessors"] = frozenset(
                Pegawai.objects.filter(instansi=self.instansi, penilai_override__isnull=False)
                .values_list("penilai_override_id", flat=True)
                .distinct()
            )
        return pegawai_id in index

    def delegate_of(self, pegawai: Pegawai) -> Pegawai:
        """Who acts for ``pegawai`` as assessor on the snapshot's date (see ``delegate_of``)."""
        return self.delegates.get(pegawai.pk, pegawai)

    def official_for(self, pegawai: Pegawai, *, barred: set[int], start: Pegawai | None = None) -> Pegawai | None:
        """The nearest official above ``pegawai`` who may act on a step of their appraisal: each
        official's delegate acts for them, and an official who is in ``barred`` (Pegawai ids), or
        whose delegate is, is passed over for the next one up. None at the top of the tree.
        ``start``: the official the appraisal names (its snapshot's assessor): the walk begins with
        them and goes up from their post instead of from the employee's."""
        chain = [start, *self.officials_above(start)] if start is not None else self.officials_above(pegawai)
        for official in chain:
            acting = self.delegate_of(self.stand_in_for(official))
            if official.pk not in barred and acting.pk not in barred:
                return acting
        return None

    def stand_in_for(self, pegawai: Pegawai) -> Pegawai:
        """Who stands in for ``pegawai`` on the snapshot's date: the acting official (Plt/Plh)
        appointed to the head post ``pegawai`` holds, else ``pegawai`` themself."""
        holder = self.holders.get(pegawai.jabatan_id)
        acting = self.acting.get(pegawai.jabatan_id)
        if holder is not None and holder.pk == pegawai.pk and acting is not None:
            return acting
        return pegawai

    def acting_for(self, pegawai: Pegawai) -> Pegawai:
        """Who receives the assessor's tasks of ``pegawai`` (an appraisal's snapshot of its assessor)
        on the snapshot's date: an acting official standing in for their post, then a delegate."""
        return self.delegate_of(self.stand_in_for(pegawai))

    def skp_assessor(self, skp) -> Pegawai | None:
        """The official who acts as the assessor of ``skp`` on the snapshot's date: its own
        snapshot of the assessor (``Skp.penilai``) — never today's chart of the employee, who may
        have moved since — with a Plt/Plh standing in for that post and a delegation in force. Only
        when the snapshot names nobody who is still active does today's chart decide."""
        penilai = skp.penilai if skp.penilai_id is not None else None
        if penilai is None or not penilai.aktif:
            penilai = self.assessor_of(skp.pegawai)
        return self.acting_for(penilai) if penilai is not None else None


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


# Each account's employee record and each assessor's team, asked on most pages, are kept the same
# way (and dropped with the snapshots), read only outside a transaction.
_people: ProcessCache = ProcessCache(SNAPSHOT_TTL, max_items=5000, committed_only=True)


def forget_org_snapshots(**_signal_kwargs) -> None:
    _snapshots.clear()
    _people.clear()


def assessor_of(pegawai: Pegawai, *, on: dt.date | None = None) -> Pegawai | None:
    """The Pejabat Penilai Kinerja of ``pegawai`` on date ``on`` (today by default)."""
    return org_snapshot(pegawai.instansi_id, on).assessor_of(pegawai)


def assessor_superior_of(pegawai: Pegawai, *, on: dt.date | None = None) -> Pegawai | None:
    """The Atasan Pejabat Penilai of ``pegawai`` on date ``on`` (today by default)."""
    return org_snapshot(pegawai.instansi_id, on).assessor_superior_of(pegawai)


def team_of(assessor: Pegawai, *, on: dt.date | None = None) -> list[Pegawai]:
    """Active employees whose assessor is ``assessor`` on ``on`` (kept like the org snapshot the
    answer comes from: a list to read, not to change)."""
    day = on or timezone.localdate()
    return _people.get(("team", assessor.instansi_id, assessor.pk, day), lambda: _team_of(assessor, day))


def _team_of(assessor: Pegawai, on: dt.date) -> list[Pegawai]:
    snap = org_snapshot(assessor.instansi_id, on)
    candidates = Pegawai.objects.filter(instansi_id=assessor.instansi_id, aktif=True).exclude(pk=assessor.pk)
    unit_ids = snap.units_headed_by(assessor.pk)
    if not unit_ids and not snap.named_by_override(assessor.pk):
        return []
    # Who can be assessed by the head of ``unit_ids`` (then checked one by one below): the units'
    # staff; of each unit right under them, the holder of its head post and whoever acts for it,
    # and all its staff when nobody heads it (the duty passes upwards). Not every employee under
    # them: an OPD head's candidates were the whole OPD, thousands of checks on each view.
    children = [snap.units[pk] for pk in snap.children_of(unit_ids)]
    vacant = [u.pk for u in children if snap.holder_of(u) is None]
    head_posts = [u.jabatan_kepala_id for u in children if u.jabatan_kepala_id]
    acting = [p.pk for u in children if (p := snap.holder_of(u)) is not None]
    candidates = candidates.filter(
        Q(unit_id__in=unit_ids)
        | Q(unit_id__in=vacant)
        | Q(unit_id__in=[u.pk for u in children], jabatan_id__in=head_posts)
        | Q(pk__in=acting)
        | Q(penilai_override=assessor)
    ).select_related("jabatan", "unit")
    team = [p for p in candidates if (a := snap.assessor_of(p)) is not None and a.pk == assessor.pk]
    return sorted(team, key=lambda p: (p.unit.nama, p.nama))


# --- roles ------------------------------------------------------------------------------------


# What ``person_name`` reads of a task's holder, for a task query narrowed with ``only()``.
HOLDER_NAME_FIELDS = (
    "owner__username",
    "owner__first_name",
    "owner__last_name",
    "owner__pegawai__nama",
    "owner__pegawai__user_id",
)


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
    return memoized(("pegawai_of", user.pk), lambda: _people.get(("pegawai_of", user.pk), lambda: _pegawai_of(user)))


def _pegawai_of(user) -> Pegawai | None:
    return Pegawai.objects.filter(user=user).select_related("unit", "jabatan", "instansi").first()


def pegawai_by_nomor_induk(nomor_induk: str) -> Pegawai | None:
    """The employee whose NIP / NI PPPK is ``nomor_induk``, with the user account (the single
    sign-on matches people by it), or None."""
    if not nomor_induk:
        return None
    return Pegawai.objects.select_related("user", "instansi").filter(nip=nomor_induk).first()


def admin_instansi_ids(user) -> set[int]:
    """Governments ``user`` administers; a superuser administers all."""
    if not user.is_authenticated:
        return set()
    if user.is_superuser:
        return set(memoized("all_instansi_ids", lambda: frozenset(Instansi.objects.values_list("pk", flat=True))))
    return set(memoized(("admin_instansi_ids", user.pk), lambda: _admin_roles(user.pk)))


def _admin_roles(user_id: int) -> frozenset[int]:
    # on every page (the menu, the permission checks): ``project.sql``
    sql = f"SELECT {column(PeranAdmin, 'instansi')} FROM {table(PeranAdmin)} WHERE {column(PeranAdmin, 'user')} = %s"  # noqa: S608 - names from the models, values bound
    return frozenset(instansi_id for (instansi_id,) in rows(sql, [user_id]))


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
