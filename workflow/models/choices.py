"""Every enumerated domain value of the workflow app, in one place (see shared/domain.md §2)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class JenisInstansi(models.TextChoices):
    PROVINSI = "provinsi", _("Provincial government")
    KABUPATEN = "kabupaten", _("Regency government")
    KOTA = "kota", _("City government")
    PUSAT = "pusat", _("Central agency")


class JenisUnit(models.TextChoices):
    PEMERINTAH_DAERAH = "pemda", _("Regional government")
    SEKRETARIAT_DAERAH = "setda", _("Regional secretariat")
    OPD = "opd", _("Regional agency (OPD)")
    SEKRETARIAT = "sekretariat", _("Secretariat")
    BIDANG = "bidang", _("Division (bidang)")
    BAGIAN = "bagian", _("Section (bagian)")
    SUBBIDANG = "subbidang", _("Subdivision (subbidang)")
    SUBBAGIAN = "subbagian", _("Subsection (subbagian)")
    SEKSI = "seksi", _("Unit (seksi)")
    UPTD = "uptd", _("UPTD")
    CABANG_DINAS = "cabdin", _("Branch office (cabang dinas)")
    SEKOLAH = "sekolah", _("School")

    @classmethod
    def needs_head_post(cls) -> set[str]:
        """Kinds whose members have no assessor without the unit's own head: a school's teachers
        are assessed by its Kepala Sekolah (shared/domain.md §4), never by the office above."""
        return {cls.SEKOLAH}


class JenisJabatan(models.TextChoices):
    """Position classes; the order is the seniority used by assessor resolution."""

    KEPALA_DAERAH = "kepala_daerah", _("Head of region")
    JPT_MADYA = "jpt_madya", _("JPT Madya")
    JPT_PRATAMA = "jpt_pratama", _("JPT Pratama")
    ADMINISTRATOR = "administrator", _("Administrator")
    PENGAWAS = "pengawas", _("Pengawas")
    PELAKSANA = "pelaksana", _("Pelaksana (staff)")
    FUNGSIONAL = "fungsional", _("Functional")

    @classmethod
    def struktural(cls) -> set[str]:
        return {cls.KEPALA_DAERAH, cls.JPT_MADYA, cls.JPT_PRATAMA, cls.ADMINISTRATOR, cls.PENGAWAS}


class JenjangFungsional(models.TextChoices):
    PEMULA = "pemula", _("Pemula")
    TERAMPIL = "terampil", _("Terampil")
    MAHIR = "mahir", _("Mahir")
    PENYELIA = "penyelia", _("Penyelia")
    AHLI_PERTAMA = "ahli_pertama", _("Ahli Pertama")
    AHLI_MUDA = "ahli_muda", _("Ahli Muda")
    AHLI_MADYA = "ahli_madya", _("Ahli Madya")
    AHLI_UTAMA = "ahli_utama", _("Ahli Utama")


class StatusKepegawaian(models.TextChoices):
    PNS = "PNS", _("PNS")
    PPPK = "PPPK", _("PPPK")
    PEJABAT_NEGARA = "pejabat_negara", _("State official (non-ASN)")

    @classmethod
    def asn(cls) -> set[str]:
        return {cls.PNS, cls.PPPK}


class JenisKeadaan(models.TextChoices):
    """Why an employee is out of service for a while and gets no SKP for those months
    (shared/domain.md §3 item 9)."""

    CLTN = "cltn", _("Unpaid leave (CLTN)")
    TUGAS_BELAJAR = "tugas_belajar", _("Study leave (tugas belajar)")
    DIBERHENTIKAN_SEMENTARA = "diberhentikan_sementara", _("Suspended (diberhentikan sementara)")


class JenisPenugasan(models.TextChoices):
    PLT = "plt", _("Plt (acting official)")
    PLH = "plh", _("Plh (daily acting official)")


class Granularitas(models.TextChoices):
    SEMESTER = "semester", _("Semester")
    TRIWULAN = "triwulan", _("Quarterly")
    BULANAN = "bulanan", _("Monthly")

    @property
    def jumlah_periode(self) -> int:
        return {"semester": 2, "triwulan": 4, "bulanan": 12}[self.value]


class StatusPeriode(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class JenisJendela(models.TextChoices):
    PERIODIK = "periodik", _("Periodic review")
    AKHIR = "akhir", _("Annual review")


class Pendekatan(models.TextChoices):
    KUANTITATIF = "kuantitatif", _("Quantitative")
    KUALITATIF = "kualitatif", _("Qualitative")


class JenisRhk(models.TextChoices):
    UTAMA = "utama", _("Core (utama)")
    TAMBAHAN = "tambahan", _("Additional (tambahan)")


class AspekIki(models.TextChoices):
    KUANTITAS = "kuantitas", _("Quantity")
    KUALITAS = "kualitas", _("Quality")
    WAKTU = "waktu", _("Time")
    BIAYA = "biaya", _("Cost")


class NilaiPerilaku(models.TextChoices):
    """The seven BerAKHLAK core values."""

    BERORIENTASI_PELAYANAN = "berorientasi_pelayanan", _("Service-oriented (Berorientasi Pelayanan)")
    AKUNTABEL = "akuntabel", _("Accountable (Akuntabel)")
    KOMPETEN = "kompeten", _("Competent (Kompeten)")
    HARMONIS = "harmonis", _("Harmonious (Harmonis)")
    LOYAL = "loyal", _("Loyal")
    ADAPTIF = "adaptif", _("Adaptive (Adaptif)")
    KOLABORATIF = "kolaboratif", _("Collaborative (Kolaboratif)")


class Rating(models.TextChoices):
    """Rating values, coded as in the rule pack."""

    DI_BAWAH = "di_bawah", _("Below expectations")
    SESUAI = "sesuai", _("Meets expectations")
    DI_ATAS = "di_atas", _("Above expectations")


class Predikat(models.TextChoices):
    SANGAT_BAIK = "sangat_baik", _("Sangat Baik (very good)")
    BAIK = "baik", _("Baik (good)")
    BUTUH_PERBAIKAN = "butuh_perbaikan", _("Butuh Perbaikan (needs improvement)")
    KURANG = "kurang", _("Kurang/Misconduct (poor)")
    SANGAT_KURANG = "sangat_kurang", _("Sangat Kurang (very poor)")


class PredikatOrganisasi(models.TextChoices):
    ISTIMEWA = "istimewa", _("Istimewa (outstanding)")
    BAIK = "baik", _("Baik (good)")
    BUTUH_PERBAIKAN = "butuh_perbaikan", _("Butuh Perbaikan (needs improvement)")
    KURANG = "kurang", _("Kurang (poor)")
    SANGAT_KURANG = "sangat_kurang", _("Sangat Kurang (very poor)")


class StatusSkp(models.TextChoices):
    """Where an appraisal stands; mirrors the flow's position for fast lists and reports. The
    members are declared in the order an appraisal passes them (a returned plan before approval;
    an appeal and the final result after publication): ``reached`` counts by that order."""

    DRAFT = "draft", _("Plan being drafted")
    DIAJUKAN = "diajukan", _("Plan submitted")
    DIKEMBALIKAN = "dikembalikan", _("Plan returned for revision")
    DISETUJUI = "disetujui", _("Plan approved")
    EVALUASI_PERIODIK = "evaluasi_periodik", _("Periodic review")
    EVALUASI_AKHIR = "evaluasi_akhir", _("Annual review")
    DINILAI = "dinilai", _("Scored")
    DIPUBLIKASIKAN = "dipublikasikan", _("Published")
    KEBERATAN = "keberatan", _("Under appeal")
    FINAL = "final", _("Final")
    # Outside the order above: an SKP closed by a transfer before its plan was approved has nothing
    # to evaluate and ends without a result (``services.mutasi``).
    DITUTUP = "ditutup", _("Closed without a result (transfer before the plan was approved)")

    @classmethod
    def reached(cls, stage: str) -> list[str]:
        """The statuses of appraisals that have reached ``stage``: an appraisal under appeal or
        final has also been approved and published. A closed SKP reached no stage but its own."""
        order = [s for s in cls.values if s != cls.DITUTUP]
        return [cls.DITUTUP] if stage == cls.DITUTUP else order[order.index(stage) :]

    @classmethod
    def not_yet_rated(cls) -> list[str]:
        """Statuses of an SKP whose annual review has not been given: its assessor may still change."""
        return [cls.DRAFT, cls.DIAJUKAN, cls.DIKEMBALIKAN, cls.DISETUJUI, cls.EVALUASI_PERIODIK, cls.EVALUASI_AKHIR]


class StatusKeberatan(models.TextChoices):
    DIAJUKAN = "diajukan", _("Filed")
    MENUNGGU_KEPUTUSAN = "menunggu_keputusan", _("Awaiting decision")
    DIKUATKAN = "dikuatkan", _("Upheld")
    DIUBAH = "diubah", _("Result changed")


class KeputusanRencana(models.TextChoices):
    """The assessor's decision on a submitted plan (the values the plan approval page posts)."""

    SETUJUI = "setujui", _("Approve the plan")
    KEMBALIKAN = "kembalikan", _("Return for revision")


class KeputusanKeberatan(models.TextChoices):
    """The deciding official's decision on an appeal (the values the decision page posts)."""

    KUATKAN = "kuatkan", _("Uphold the result")
    UBAH = "ubah", _("Change the ratings")


class JenisHariLibur(models.TextChoices):
    """Kinds of days off in a government's holiday calendar (the SKB 3 Menteri sets the first two
    each year; a regional government adds its own)."""

    LIBUR_NASIONAL = "libur_nasional", _("National holiday")
    CUTI_BERSAMA = "cuti_bersama", _("Collective leave (cuti bersama)")
    LIBUR_DAERAH = "libur_daerah", _("Regional holiday")
