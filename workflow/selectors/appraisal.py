"""Reads of appraisals, always scoped to what the user may see: an employee their own, an assessor
their team's (the SKP they assess, or whose current assessor they are), an admin their government's."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from ..models import Periode, Skp
from .org import admin_instansi_ids, pegawai_of


def skp_visible_to(user) -> QuerySet[Skp]:
    if not user.is_authenticated:
        return Skp.objects.none()
    ids = admin_instansi_ids(user)
    me = pegawai_of(user)
    condition = Q(pegawai__instansi_id__in=ids) if ids else Q(pk__in=[])
    if me is not None:
        condition |= Q(pegawai=me) | Q(penilai=me) | Q(process__task__owner=user)
    return Skp.objects.filter(condition).distinct()


def can_view_skp(user, skp: Skp) -> bool:
    if not user.is_authenticated:
        return False
    if skp.pegawai.instansi_id in admin_instansi_ids(user):
        return True
    me = pegawai_of(user)
    if me is not None and me.pk in (skp.pegawai_id, skp.penilai_id):
        return True
    # whoever holds (or held) a task of this appraisal — e.g. a Plt routed in — may see it
    return skp.process_id is not None and skp.process.task_set.filter(owner=user).exists()


def team_progress(*, penilai, periode: Periode) -> dict:
    """The assessor's team in one period: each SKP with its step, counts per status, and the
    predikat distribution of the published results."""
    skp = list(
        Skp.objects.filter(penilai=penilai, periode=periode)
        .select_related("pegawai", "hasil")
        .order_by("pegawai__nama")
    )
    per_status: dict[str, int] = {}
    per_predikat: dict[str, int] = {}
    for item in skp:
        per_status[item.status] = per_status.get(item.status, 0) + 1
        hasil = getattr(item, "hasil", None)
        if hasil is not None:
            per_predikat[hasil.predikat] = per_predikat.get(hasil.predikat, 0) + 1
    return {"skp": skp, "per_status": per_status, "per_predikat": per_predikat}


def completion_per_opd(*, periode: Periode) -> list[dict]:
    """For the admin page: per OPD (top-level unit under the government), how many appraisals
    exist and how many reached each milestone."""
    from ..models import StatusSkp, Unit

    units = {u.pk: u for u in Unit.objects.filter(instansi_id=periode.instansi_id)}

    def opd_of(unit_id):
        unit = units.get(unit_id)
        while unit is not None and unit.parent_id is not None and units[unit.parent_id].parent_id is not None:
            unit = units[unit.parent_id]
        return unit

    rows: dict[int, dict] = {}
    counts = Skp.objects.filter(periode=periode).values("unit_id", "status").annotate(n=Count("pk"))
    approved = {
        StatusSkp.DISETUJUI,
        StatusSkp.EVALUASI_PERIODIK,
        StatusSkp.EVALUASI_AKHIR,
        StatusSkp.DINILAI,
        StatusSkp.DIPUBLIKASIKAN,
    }
    for c in counts:
        opd = opd_of(c["unit_id"])
        if opd is None:
            continue
        row = rows.setdefault(opd.pk, {"unit": opd, "total": 0, "approved": 0, "published": 0})
        row["total"] += c["n"]
        if c["status"] in approved:
            row["approved"] += c["n"]
        if c["status"] == StatusSkp.DIPUBLIKASIKAN:
            row["published"] += c["n"]
    result = sorted(rows.values(), key=lambda r: r["unit"].nama)
    for row in result:
        row["approved_pct"] = round(100 * row["approved"] / row["total"]) if row["total"] else 0
        row["published_pct"] = round(100 * row["published"] / row["total"]) if row["total"] else 0
    return result
