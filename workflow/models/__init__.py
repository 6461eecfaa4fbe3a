from .choices import (
    Granularitas,
    JenisInstansi,
    JenisJabatan,
    JenisJendela,
    JenisPenugasan,
    JenisUnit,
    JenjangFungsional,
    StatusKepegawaian,
    StatusPeriode,
)
from .org import Instansi, Jabatan, Pegawai, PenugasanPlt, PeranAdmin, Unit
from .period import JendelaReview, Periode

__all__ = [
    "Granularitas",
    "Instansi",
    "Jabatan",
    "JendelaReview",
    "JenisInstansi",
    "JenisJabatan",
    "JenisJendela",
    "JenisPenugasan",
    "JenisUnit",
    "JenjangFungsional",
    "Pegawai",
    "PenugasanPlt",
    "PeranAdmin",
    "Periode",
    "StatusKepegawaian",
    "StatusPeriode",
    "Unit",
]
