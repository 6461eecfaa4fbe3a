"""Reads of issued documents: which documents an appraisal has, the data each one shows (plain
text, read in Indonesian: a document is the same whoever asks for it and in whatever language
they browse), what the public verification page may say about a code, and the admins' packages.

The data of a document is a dict of strings and lists (no model instances): the templates render
it, and ``domain.dokumen.content_fingerprint`` hashes it, so an issued document can be compared
with what it would show today."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.formats import date_format

from ..domain.dokumen import PANDUAN_PERILAKU, content_fingerprint, mask_nip
from ..models import (
    AuditAction,
    AuditEvent,
    Dokumen,
    Evaluasi,
    JenisDokumen,
    JenisJendela,
    JenisRhk,
    Keberatan,
    NilaiPerilaku,
    PaketDokumen,
    Pegawai,
    Predikat,
    PredikatOrganisasi,
    Skp,
    StatusKeberatan,
    StatusSkp,
    Unit,
)
from ..models.dokumen import AlasanPenggantian
from .org import admin_instansi_ids
from .scoring import predikat_organisasi_of, team_distribution

# The language every document is written in (PermenPANRB 6/2022's forms are Indonesian).
LANGUAGE = "id"

# Parts of a document's data that describe the situation on the day it was issued rather than the
# appraisal itself (the team's distribution changes as colleagues are scored): shown, never hashed.
AS_OF_ISSUE = ("distribusi",)


class DocumentUnavailable(LookupError):
    """The appraisal has no such document (yet): the plan is not approved, the review not given,
    the result not published, the appeal not decided."""


@dataclass(frozen=True)
class Available:
    """One document an appraisal has now, and what identifies it."""

    jenis: str
    label: str
    evaluasi_id: int | None = None
    keberatan_id: int | None = None


# --- which documents an appraisal has ----------------------------------------------------------


def documents_available(skp: Skp, reviews: list[Evaluasi] | None = None) -> list[Available]:
    """The documents ``skp`` has now, in the order of its lifecycle (the caller checks the viewer
    may see the appraisal, and ``can_view_appeal`` for the appeal decision). ``reviews``: the
    SKP's reviews with their windows, when the caller has them already (in window order)."""
    with translation.override(LANGUAGE):
        found: list[Available] = []
        if skp.status in StatusSkp.reached(StatusSkp.DISETUJUI):
            found.append(Available(JenisDokumen.SKP, str(JenisDokumen.SKP.label)))
        for evaluasi in _reviews(skp) if reviews is None else reviews:
            if evaluasi.jendela.jenis == JenisJendela.PERIODIK and evaluasi.dinilai is not None:
                label = f"{JenisDokumen.EVALUASI_PERIODIK.label} — {evaluasi.jendela.nama}"
                found.append(Available(JenisDokumen.EVALUASI_PERIODIK, label, evaluasi_id=evaluasi.pk))
        hasil = getattr(skp, "hasil", None)
        if hasil is not None and hasil.dipublikasikan is not None:
            found.append(Available(JenisDokumen.EVALUASI_KINERJA, str(JenisDokumen.EVALUASI_KINERJA.label)))
        keberatan = getattr(skp, "keberatan", None)
        if keberatan is not None and keberatan.diputuskan is not None:
            found.append(
                Available(
                    JenisDokumen.KEPUTUSAN_KEBERATAN,
                    str(JenisDokumen.KEPUTUSAN_KEBERATAN.label),
                    keberatan_id=keberatan.pk,
                )
            )
    return found


def document_available(skp: Skp, jenis: str, evaluasi_id: int | None = None) -> Available | None:
    return next(
        (a for a in documents_available(skp) if a.jenis == jenis and (a.evaluasi_id == evaluasi_id)),
        None,
    )


def _reviews(skp: Skp) -> list[Evaluasi]:
    return list(
        skp.evaluasi_set.select_related("jendela")
        .prefetch_related("realisasi_set", "perilaku_set")
        .order_by("jendela__urutan")
    )


# --- what a document shows ---------------------------------------------------------------------


def document_data(*, skp: Skp, jenis: str, evaluasi_id: int | None = None) -> dict:
    """The data of one document of ``skp`` as it would be issued now (in Indonesian); raises
    ``DocumentUnavailable`` when the appraisal has no such document."""
    if document_available(skp, jenis, evaluasi_id) is None:
        raise DocumentUnavailable(jenis)
    with translation.override(LANGUAGE):
        data = _header(skp, jenis)
        reviews = _reviews(skp)
        if jenis == JenisDokumen.SKP:
            data["rhk"] = _rhk_rows(skp, None)
            data["perilaku"] = _perilaku_rows(skp, None)
            data["tanda_tangan"] = _signatures_plan(skp)
        elif jenis == JenisDokumen.EVALUASI_PERIODIK:
            evaluasi = next(e for e in reviews if e.pk == evaluasi_id)
            data.update(_review_part(skp, evaluasi))
            data["tanda_tangan"] = _signatures_review(skp, evaluasi)
        elif jenis == JenisDokumen.EVALUASI_KINERJA:
            evaluasi = next((e for e in reviews if e.jendela.jenis == JenisJendela.AKHIR), None)
            data.update(_review_part(skp, evaluasi))
            data.update(_result_part(skp))
            data["tanda_tangan"] = _signatures_result(skp, evaluasi)
        elif jenis == JenisDokumen.KEPUTUSAN_KEBERATAN:
            data.update(_appeal_part(skp.keberatan))
        else:
            raise DocumentUnavailable(jenis)
    return data


def fingerprint_of(data: dict) -> str:
    """The fingerprint of what a document shows about the appraisal (``AS_OF_ISSUE`` left out)."""
    return content_fingerprint({k: v for k, v in data.items() if k not in AS_OF_ISSUE})


def summary_of(data: dict) -> dict:
    """What the public verification page repeats of a document: nothing beyond the paper's own
    headline facts, and the NIP masked."""
    return {
        "nama": data["pegawai"]["nama"],
        "nip": mask_nip(data["pegawai"]["nip_lengkap"]),
        "periode": data["periode"]["teks"],
        "predikat": data.get("predikat", ""),
        "jendela": data.get("jendela", {}).get("nama", ""),
    }


def file_name_of(data: dict, jenis: str) -> str:
    """The download's file name: ``<type>_<year>_<NIP>[_<window>].pdf`` (the window's number for a
    periodic evaluation) in plain ASCII."""
    parts = [jenis, str(data["periode"]["tahun"]), data["pegawai"]["nip_lengkap"] or "tanpa-nip"]
    if jenis == JenisDokumen.EVALUASI_PERIODIK:
        parts.append(str(data["jendela"]["urutan"]))
    return "_".join(parts) + ".pdf"


def _day(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return date_format(value, "j F Y")


def _person(pegawai: Pegawai | None, *, nama: str = "", jabatan: str = "", unit: str = "") -> dict:
    return {
        "nama": nama or (pegawai.nama if pegawai else "") or "—",
        "nip": (pegawai.nip if pegawai else "") or "—",
        "jabatan": jabatan or (pegawai.jabatan.nama if pegawai and pegawai.jabatan_id else "") or "—",
        "unit": unit or (pegawai.unit.nama if pegawai and pegawai.unit_id else "") or "—",
    }


def _header(skp: Skp, jenis: str) -> dict:
    pegawai = skp.pegawai
    return {
        "jenis": jenis,
        "judul": str(JenisDokumen(jenis).label).upper(),
        "instansi": pegawai.instansi.nama.upper(),
        "periode": {
            "tahun": skp.periode.tahun,
            "mulai": _day(skp.tanggal_mulai),
            "selesai": _day(skp.tanggal_selesai),
            "teks": f"{_day(skp.tanggal_mulai)} s.d. {_day(skp.tanggal_selesai)}",
        },
        "pendekatan": str(skp.get_pendekatan_display()).upper(),
        "pegawai": {
            **_person(pegawai, jabatan=skp.jabatan_nama, unit=skp.unit_nama),
            "status": str(pegawai.get_status_kepegawaian_display()),
            "nip_lengkap": pegawai.nip or "",
        },
        # The SKP's snapshots, never the directory of today: the assessor or the superior may have
        # moved (or been promoted) since; the paper shows the organisation as it was for this SKP.
        "penilai": _person(skp.penilai, nama=skp.penilai_nama, jabatan=skp.penilai_jabatan, unit=skp.penilai_unit_nama),
        "atasan": _person(skp.atasan_penilai, nama=skp.atasan_penilai_nama, jabatan=skp.atasan_penilai_jabatan),
    }


def _rhk_rows(skp: Skp, evaluasi: Evaluasi | None) -> list[dict]:
    """Each RHK with its IKI and targets and the supervisor's RHK it supports; with a review, the
    realisation, feedback and rating of that review. Utama first, then tambahan."""
    realisasi = {r.rhk_id: r for r in evaluasi.realisasi_set.all()} if evaluasi is not None else {}
    rows = []
    rhk_list = skp.rhk_set.select_related("rhk_atasan").prefetch_related("iki_set").order_by("urutan", "pk")
    for jenis in (JenisRhk.UTAMA, JenisRhk.TAMBAHAN):
        for nomor, rhk in enumerate((r for r in rhk_list if r.jenis == jenis), start=1):
            r = realisasi.get(rhk.pk)
            rows.append(
                {
                    "jenis": jenis,
                    "nomor": nomor,
                    "teks": rhk.teks,
                    "rhk_atasan": rhk.rhk_atasan.teks if rhk.rhk_atasan_id else "",
                    "iki": [
                        {"aspek": str(iki.get_aspek_display()), "indikator": iki.indikator, "target": iki.target_teks}
                        for iki in rhk.iki_set.all()
                    ],
                    "realisasi": r.realisasi if r else "",
                    "umpan_balik": r.umpan_balik if r else "",
                    "rating": str(r.get_rating_display()) if r and r.rating else "",
                }
            )
    return rows


def _perilaku_rows(skp: Skp, evaluasi: Evaluasi | None) -> list[dict]:
    expectations = dict(skp.ekspektasi_set.values_list("nilai", "ekspektasi"))
    feedback = {p.nilai: p for p in evaluasi.perilaku_set.all()} if evaluasi is not None else {}
    rows = []
    for nomor, (value, label) in enumerate(NilaiPerilaku.choices, start=1):
        p = feedback.get(value)
        rows.append(
            {
                "nomor": nomor,
                "nilai": str(label),
                "panduan": PANDUAN_PERILAKU.get(value, []),
                "ekspektasi": expectations.get(value, ""),
                "umpan_balik": p.umpan_balik if p else "",
                "rating": str(p.get_rating_display()) if p and p.rating else "",
            }
        )
    return rows


def _review_part(skp: Skp, evaluasi: Evaluasi | None) -> dict:
    part = {"rhk": _rhk_rows(skp, evaluasi), "perilaku": _perilaku_rows(skp, evaluasi)}
    if evaluasi is not None:
        part["jendela"] = {
            "nama": evaluasi.jendela.nama,
            "urutan": evaluasi.jendela.urutan,
            "mulai": _day(evaluasi.jendela.dibuka),
            "selesai": _day(evaluasi.jendela.ditutup),
        }
        part["catatan_pegawai"] = evaluasi.catatan_pegawai
        part["penilai_evaluasi"] = evaluasi.penilai_nama
    return part


def _result_part(skp: Skp) -> dict:
    """The annual result: the two ratings, the predikat, the organisation's achievement, the
    distribution pattern of the assessor's team (as of the day of issue), notes."""
    hasil = skp.hasil
    keberatan = getattr(skp, "keberatan", None)
    unit_id = assessor_unit_id(skp)
    org = predikat_organisasi_of(periode=skp.periode, instansi_id=skp.pegawai.instansi_id, unit_id=unit_id)
    catatan = []
    if skp.alasan_hasil_kerja:
        catatan.append(f"Rating hasil kerja: {skp.alasan_hasil_kerja}")
    if skp.alasan_perilaku:
        catatan.append(f"Rating perilaku kerja: {skp.alasan_perilaku}")
    if keberatan is not None and keberatan.diputuskan is not None:
        outcome = str(keberatan.get_status_display())
        catatan.append(
            f"Keberatan diputuskan {_day(keberatan.diputuskan)} ({outcome}): "
            f"{keberatan.get_predikat_semula_display()} → {keberatan.get_predikat_baru_display()}. "
            f"{keberatan.alasan_keputusan}"
        )
    if hasil.peringatan_distribusi:
        catatan.append(hasil.peringatan_distribusi)
    return {
        "rating_hasil_kerja": str(hasil.get_rating_hasil_kerja_display()),
        "rating_perilaku": str(hasil.get_rating_perilaku_display()),
        "predikat": str(hasil.get_predikat_display()),
        "capaian_organisasi": str(dict(PredikatOrganisasi.choices).get(org, "")) if org else "",
        "catatan": catatan,
        "aturan": f"{hasil.rule_set} {hasil.rule_version}",
        "distribusi": _distribution(skp),
    }


def _distribution(skp: Skp) -> dict:
    """The assessor's team in the period: predikat counts and the pattern's bounds (as today)."""
    if not skp.penilai_id:
        return {"jumlah": [], "batas": [], "organisasi": ""}
    counts: dict[str, int] = {}
    team = Skp.objects.filter(penilai_id=skp.penilai_id, periode_id=skp.periode_id)
    total = team.count()
    for predikat in team.filter(hasil__isnull=False).values_list("hasil__predikat", flat=True):
        counts[predikat] = counts.get(predikat, 0) + 1
    scored = sum(counts.values())
    found = team_distribution(
        penilai=skp.penilai,
        periode=skp.periode,
        counts=counts,
        total=total,
        scored=scored,
        unit_id=assessor_unit_id(skp),
    )
    return {
        "tim": total,
        "dinilai": scored,
        "organisasi": str(found.get("organisasi") or ""),
        "jumlah": [{"predikat": str(label), "orang": counts.get(code, 0)} for code, label in Predikat.choices],
        "batas": [{"aturan": b.rule, "orang": b.have, "ok": b.ok} for b in found.get("bounds", [])],
    }


def assessor_unit_id(skp: Skp) -> int:
    """The unit the organisation's achievement of ``skp`` is read from: its assessor's unit as
    snapshotted on the SKP (the employee's own unit without an assessor)."""
    return skp.penilai_unit_id or skp.unit_id


def _plan_event_times(skp: Skp) -> dict[str, dt.datetime]:
    """When the plan was last submitted and approved (from the audit events of the SKP)."""
    events = AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(Skp),
        object_id=str(skp.pk),
        action__in=[AuditAction.PLAN_SUBMITTED, AuditAction.PLAN_APPROVED],
    ).values_list("action", "time")
    found: dict[str, dt.datetime] = {}
    for action, time in events:  # in chain order: the last of each kind stays
        found[action] = time
    return found


def _signature(role: str, person: dict, when) -> dict:
    return {"peran": role, "nama": person["nama"], "nip": person["nip"], "tanggal": _day(when)}


def _signatures_plan(skp: Skp) -> list[dict]:
    times = _plan_event_times(skp)
    header = _header(skp, JenisDokumen.SKP)
    return [
        _signature("Pegawai yang Dinilai", header["pegawai"], times.get(AuditAction.PLAN_SUBMITTED)),
        _signature("Pejabat Penilai Kinerja", header["penilai"], times.get(AuditAction.PLAN_APPROVED)),
    ]


def _signatures_review(skp: Skp, evaluasi: Evaluasi) -> list[dict]:
    header = _header(skp, JenisDokumen.EVALUASI_PERIODIK)
    return [
        _signature("Pegawai yang Dinilai", header["pegawai"], evaluasi.diajukan),
        _signature("Pejabat Penilai Kinerja", header["penilai"], evaluasi.dinilai),
    ]


def _signatures_result(skp: Skp, evaluasi: Evaluasi | None) -> list[dict]:
    header = _header(skp, JenisDokumen.EVALUASI_KINERJA)
    keberatan = getattr(skp, "keberatan", None)
    return [
        _signature("Pegawai yang Dinilai", header["pegawai"], skp.hasil.dipublikasikan),
        _signature("Pejabat Penilai Kinerja", header["penilai"], evaluasi.dinilai if evaluasi else None),
        _signature(
            "Atasan Pejabat Penilai Kinerja",
            header["atasan"],
            keberatan.diputuskan if keberatan is not None else None,
        ),
    ]


def _appeal_part(keberatan: Keberatan) -> dict:
    pemutus = _person(keberatan.pemutus)
    changed = keberatan.status == StatusKeberatan.DIUBAH
    return {
        "keberatan": {
            "diajukan": _day(keberatan.diajukan),
            "alasan": keberatan.alasan,
            "tanggapan": keberatan.tanggapan_penilai,
            "status": str(keberatan.get_status_display()),
            "diubah": changed,
            "predikat_semula": str(keberatan.get_predikat_semula_display()),
            "predikat_baru": str(keberatan.get_predikat_baru_display()),
            "rating_hasil_kerja_baru": str(keberatan.get_rating_hasil_kerja_baru_display())
            if keberatan.rating_hasil_kerja_baru
            else "",
            "rating_perilaku_baru": str(keberatan.get_rating_perilaku_baru_display())
            if keberatan.rating_perilaku_baru
            else "",
            "alasan_keputusan": keberatan.alasan_keputusan,
            "diputuskan": _day(keberatan.diputuskan),
        },
        "pemutus": pemutus,
        "predikat": str(keberatan.get_predikat_baru_display()),
        "tanda_tangan": [_signature("Pejabat yang Memutus Keberatan", pemutus, keberatan.diputuskan)],
    }


# --- issued documents --------------------------------------------------------------------------


def current_document(skp: Skp, jenis: str, evaluasi_id: int | None = None) -> Dokumen | None:
    return Dokumen.objects.filter(skp=skp, jenis=jenis, evaluasi_id=evaluasi_id, digantikan_oleh__isnull=True).first()


@dataclass(frozen=True)
class Verification:
    """What the public page says about one code."""

    jenis: str
    nama: str
    nip: str
    periode: str
    jendela: str
    predikat: str
    diterbitkan: dt.datetime
    sha256: str
    status: str  # "current", "superseded" or "outdated"
    digantikan: dt.datetime | None
    alasan: str


def verify(kode: str) -> Verification | None:
    """The verification of ``kode``, or None for an unknown code. A document is *current* while no
    newer issue replaced it and the appraisal still shows what it printed; *superseded* once a
    newer one was issued; *outdated* when the appraisal changed since (an appeal decided, say) and
    no newer document has been issued yet."""
    doc = (
        Dokumen.objects.select_related("skp__pegawai__instansi", "skp__periode", "skp__hasil").filter(kode=kode).first()
    )
    if doc is None:
        return None
    status, alasan = "current", ""
    if doc.digantikan_oleh_id is not None:
        status, alasan = "superseded", doc.get_alasan_penggantian_display()
    else:
        try:
            now = document_data(skp=doc.skp, jenis=doc.jenis, evaluasi_id=doc.evaluasi_id)
        except DocumentUnavailable:
            now = None
        if now is None or fingerprint_of(now) != doc.sidik_isi:
            status = "outdated"
            keberatan = getattr(doc.skp, "keberatan", None)
            decided_since = keberatan is not None and keberatan.diputuskan and keberatan.diputuskan > doc.diterbitkan
            alasan = str(
                AlasanPenggantian.KEBERATAN.label
                if decided_since and keberatan.status == StatusKeberatan.DIUBAH
                else AlasanPenggantian.DIUBAH.label
            )
    s = doc.ringkasan
    return Verification(
        jenis=str(doc.get_jenis_display()),
        nama=s.get("nama", ""),
        nip=s.get("nip", ""),
        periode=s.get("periode", ""),
        jendela=s.get("jendela", ""),
        predikat=s.get("predikat", ""),
        diterbitkan=doc.diterbitkan,
        sha256=doc.sha256,
        status=status,
        digantikan=doc.digantikan,
        alasan=str(alasan),
    )


# --- the admins' packages ----------------------------------------------------------------------


def opd_choices(instansi_ids) -> QuerySet[Unit]:
    """The OPD an admin may pack documents of: the top-level units under each government's root."""
    top = Unit.objects.filter(instansi_id__in=instansi_ids, parent__isnull=False, parent__parent__isnull=True)
    return top.order_by("nama")


def skp_for_package(*, periode, unit: Unit | None) -> QuerySet[Skp]:
    """The appraisals of ``periode`` whose unit (as snapshotted on the SKP) is ``unit`` or below it."""
    qs = Skp.objects.filter(periode=periode)
    if unit is not None:
        parents = dict(Unit.objects.filter(instansi_id=unit.instansi_id).values_list("pk", "parent_id"))
        subtree, frontier = {unit.pk}, [unit.pk]
        while frontier:
            frontier = [pk for pk, parent in parents.items() if parent in frontier and pk not in subtree]
            subtree.update(frontier)
        qs = qs.filter(unit_id__in=subtree)
    return qs.select_related(
        "pegawai__instansi", "pegawai__jabatan", "pegawai__unit", "periode", "penilai__unit", "hasil", "keberatan"
    ).order_by("unit_nama", "pegawai__nama", "pk")


def packages_of(user) -> QuerySet[PaketDokumen]:
    return PaketDokumen.objects.filter(periode__instansi_id__in=admin_instansi_ids(user)).select_related(
        "periode", "unit"
    )
