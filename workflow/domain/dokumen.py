"""Pure helpers of issued documents: the NIP as the public verification page shows it, and the
fingerprint of what a document shows."""

from __future__ import annotations

import hashlib
import json

from ..models.choices import NilaiPerilaku


def mask_nip(nip: str | None) -> str:
    """A NIP with its middle hidden (birth date and appointment month are personal data): the
    first four and the last three digits stay, enough for a reader holding the paper to match it,
    e.g. ``1990***********001``. Anything shorter than 8 characters is hidden whole."""
    nip = (nip or "").strip()
    if not nip:
        return "—"
    if len(nip) < 8:
        return "*" * len(nip)
    return nip[:4] + "*" * (len(nip) - 7) + nip[-3:]


def content_fingerprint(data: dict) -> str:
    """SHA-256 of the canonical JSON of a document's data (keys sorted, values as text): equal data
    gives an equal fingerprint, whatever the order it was read in."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def clean_kode(text: str) -> str:
    """A code as typed (blanks around or inside it, as someone copies it from paper) in the stored
    form."""
    return "".join(text.split())


# The key behaviours of each BerAKHLAK value (SE MenPANRB 20/2021), printed under the value's name
# in the behaviour tables of the documents, as the annexes of PermenPANRB 6/2022 print them.
PANDUAN_PERILAKU = {
    NilaiPerilaku.BERORIENTASI_PELAYANAN: [
        "Memahami dan memenuhi kebutuhan masyarakat",
        "Ramah, cekatan, solutif, dan dapat diandalkan",
        "Melakukan perbaikan tiada henti",
    ],
    NilaiPerilaku.AKUNTABEL: [
        "Melaksanakan tugas dengan jujur, bertanggung jawab, cermat, disiplin, dan berintegritas tinggi",
        "Menggunakan kekayaan dan barang milik negara secara bertanggung jawab, efektif, dan efisien",
        "Tidak menyalahgunakan kewenangan jabatan",
    ],
    NilaiPerilaku.KOMPETEN: [
        "Meningkatkan kompetensi diri untuk menjawab tantangan yang selalu berubah",
        "Membantu orang lain belajar",
        "Melaksanakan tugas dengan kualitas terbaik",
    ],
    NilaiPerilaku.HARMONIS: [
        "Menghargai setiap orang apa pun latar belakangnya",
        "Suka menolong orang lain",
        "Membangun lingkungan kerja yang kondusif",
    ],
    NilaiPerilaku.LOYAL: [
        "Memegang teguh ideologi Pancasila, Undang-Undang Dasar Negara Republik Indonesia Tahun 1945, "
        "setia kepada NKRI serta pemerintahan yang sah",
        "Menjaga nama baik sesama ASN, pimpinan, instansi, dan negara",
        "Menjaga rahasia jabatan dan negara",
    ],
    NilaiPerilaku.ADAPTIF: [
        "Cepat menyesuaikan diri menghadapi perubahan",
        "Terus berinovasi dan mengembangkan kreativitas",
        "Bertindak proaktif",
    ],
    NilaiPerilaku.KOLABORATIF: [
        "Memberi kesempatan kepada berbagai pihak untuk berkontribusi",
        "Terbuka dalam bekerja sama untuk menghasilkan nilai tambah",
        "Menggerakkan pemanfaatan berbagai sumber daya untuk tujuan bersama",
    ],
}
