"""Reads of the distribution level (``kebijakan.tingkat_distribusi``): which unit's results a
result is counted with, whose recorded organisation predikat selects the pattern, and the
publication policy (``kebijakan.publikasi``) with its rounding."""

from __future__ import annotations

from dataclasses import dataclass

from ..models import JenisUnit, Publikasi, Skp, StatusSkp, TingkatDistribusi, Unit
from .capaian import capaian_units, recorded_predikats
from .org import org_snapshot

OPD_KINDS = {JenisUnit.OPD, JenisUnit.SEKRETARIAT_DAERAH}


@dataclass(frozen=True)
class DistributionPolicy:
    """The distribution and publication outputs of ``kebijakan`` in one version. A version published
    before these outputs existed keeps the behaviour it was published with: the assessor's team,
    one-by-one publication, rounding to the nearest person."""

    tingkat: str
    publikasi: str
    pembulatan: str
    blocking: bool

    @property
    def calibrated(self) -> bool:
        return self.publikasi == Publikasi.SETELAH_KALIBRASI


def distribution_policy(outputs: dict) -> DistributionPolicy:
    """The policy read from the ``kebijakan`` outputs of one rule version."""
    return DistributionPolicy(
        tingkat=outputs.get("tingkat_distribusi") or TingkatDistribusi.TIM_PENILAI,
        publikasi=outputs.get("publikasi") or Publikasi.LANGSUNG,
        pembulatan=outputs.get("pembulatan_distribusi") or "terdekat",
        blocking=bool(outputs.get("distribusi_memblokir")),
    )


def distribution_unit(*, skp: Skp, tingkat: str) -> Unit | None:
    """The unit whose results ``skp``'s result is counted with at level ``tingkat`` (None for the
    assessor's team): for ``opd`` the nearest OPD (or Setda) at or above the SKP's unit, else the
    unit right below the government; for ``unit_kerja`` the nearest unit with its own organisation
    achievement (``selectors.capaian.capaian_units``), else the OPD."""
    if tingkat == TingkatDistribusi.TIM_PENILAI:
        return None
    units = org_snapshot(skp.pegawai.instansi_id).units
    chain, unit = [], units.get(skp.unit_id)
    while unit is not None and unit not in chain:
        chain.append(unit)
        unit = units.get(unit.parent_id)
    if not chain:
        return None
    if tingkat == TingkatDistribusi.UNIT_KERJA:
        own = {u.pk for u in capaian_units(skp.periode)}
        found = next((u for u in chain if u.pk in own), None)
        if found is not None:
            return found
    found = next((u for u in chain if u.jenis in OPD_KINDS), None)
    if found is not None:
        return found
    below_root = [u for u in chain if u.parent_id is not None]
    return below_root[-1] if below_root else chain[0]


def units_below(*, instansi_id: int, unit_id: int) -> set[int]:
    """``unit_id`` and every active unit under it."""
    units = org_snapshot(instansi_id).units
    children: dict[int | None, list[int]] = {}
    for u in units.values():
        children.setdefault(u.parent_id, []).append(u.pk)
    found, todo = set(), [unit_id]
    while todo:
        pk = todo.pop()
        if pk not in found:
            found.add(pk)
            todo.extend(children.get(pk, []))
    return found


def unit_results(*, periode, unit: Unit):
    """Every SKP of the period counted with ``unit`` (its own and its sub-units' employees); an SKP
    closed without a result (a transfer before its plan was approved) is never scored and does not count."""
    return Skp.objects.filter(
        periode=periode, unit_id__in=units_below(instansi_id=unit.instansi_id, unit_id=unit.pk)
    ).exclude(status=StatusSkp.DITUTUP)


def recorded_predikat(*, periode, unit: Unit) -> str | None:
    """The organisation predikat recorded for ``unit`` itself in ``periode`` (not inherited)."""
    return recorded_predikats(periode_id=periode.pk, unit_ids=[unit.pk])[unit.pk]
