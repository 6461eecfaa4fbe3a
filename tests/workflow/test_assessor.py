"""Who assesses whom (shared/domain.md §4), from the unit tree, overrides and acting officials."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from tests.factories import PegawaiFactory
from workflow.models import JenisPenugasan, PenugasanPlt
from workflow.selectors.org import OrgSnapshot, assessor_of, assessor_superior_of, team_of

DAY = dt.date(2026, 6, 1)


@pytest.mark.parametrize(
    ("who", "assessor", "superior"),
    [
        ("sekda", "gubernur", "gubernur"),  # JPT Madya
        ("kadis", "gubernur", "gubernur"),  # JPT Pratama
        ("kabid", "kadis", "gubernur"),  # Administrator
        ("kasi", "kabid", "kadis"),  # Pengawas
        ("pelaksana", "kasi", "kabid"),  # Pelaksana
        ("fungsional", "kabid", "kadis"),  # Fungsional: the head of the unit they sit in
    ],
)
def test_assessor_follows_the_provincial_table(org, who, assessor, superior):
    person = getattr(org, who)
    assert assessor_of(person, on=DAY) == getattr(org, assessor)
    assert assessor_superior_of(person, on=DAY) == getattr(org, superior)


def test_the_governor_has_no_assessor(org):
    assert assessor_of(org.gubernur, on=DAY) is None


def test_a_vacant_head_post_passes_the_duty_upwards(org):
    org.kasi.aktif = False
    org.kasi.save()
    assert assessor_of(org.pelaksana, on=DAY) == org.kabid
    assert assessor_superior_of(org.pelaksana, on=DAY) == org.kadis


def test_an_acting_official_assesses_on_the_dates_of_the_decree(org):
    plt = PegawaiFactory(instansi=org.instansi, unit=org.bidang, jabatan=org.fungsional.jabatan, nama="Plt Kasi")
    PenugasanPlt.objects.create(
        pegawai=plt,
        jabatan=org.seksi.jabatan_kepala,
        jenis=JenisPenugasan.PLT,
        tanggal_mulai=dt.date(2026, 5, 1),
        tanggal_selesai=dt.date(2026, 7, 31),
        nomor_sk="800/123/BKD/2026",
    )
    assert assessor_of(org.pelaksana, on=DAY) == plt
    assert assessor_of(org.pelaksana, on=dt.date(2026, 4, 30)) == org.kasi
    assert assessor_of(org.pelaksana, on=dt.date(2026, 8, 1)) == org.kasi


def test_acting_officials_are_ignored_when_the_policy_switch_is_off(org):
    org.instansi.plt_boleh_menilai = False
    org.instansi.save()
    plt = PegawaiFactory(instansi=org.instansi, unit=org.bidang, jabatan=org.fungsional.jabatan)
    PenugasanPlt.objects.create(
        pegawai=plt,
        jabatan=org.seksi.jabatan_kepala,
        jenis=JenisPenugasan.PLH,
        tanggal_mulai=dt.date(2026, 5, 1),
        tanggal_selesai=dt.date(2026, 7, 31),
        nomor_sk="800/124/BKD/2026",
    )
    assert assessor_of(org.pelaksana, on=DAY) == org.kasi


def test_an_explicit_override_wins(org):
    org.pelaksana.penilai_override = org.kabid
    org.pelaksana.full_clean()
    org.pelaksana.save()
    assert assessor_of(org.pelaksana, on=DAY) == org.kabid
    assert org.pelaksana in team_of(org.kabid, on=DAY)
    assert org.pelaksana not in team_of(org.kasi, on=DAY)


def test_someone_who_heads_no_unit_has_the_team_an_override_gives_them(org):
    """Whether anyone names a person by override is read once per org snapshot; saving an
    override drops the snapshot, so the team shows at once."""
    assert team_of(org.fungsional, on=DAY) == []
    org.pelaksana.penilai_override = org.fungsional
    org.pelaksana.full_clean()
    org.pelaksana.save()
    assert team_of(org.fungsional, on=DAY) == [org.pelaksana]
    org.pelaksana.penilai_override = None
    org.pelaksana.save()
    assert team_of(org.fungsional, on=DAY) == []


def test_team_lists_exactly_the_people_assessed(org):
    assert set(team_of(org.kabid, on=DAY)) == {org.kasi, org.fungsional}
    assert set(team_of(org.gubernur, on=DAY)) == {org.sekda, org.kadis}
    assert team_of(org.pelaksana, on=DAY) == []


def test_an_employee_cannot_be_their_own_assessor(org):
    org.kasi.penilai_override = org.kasi
    with translation.override("id"), pytest.raises(ValidationError) as caught:
        org.kasi.full_clean()
    assert "tidak dapat menjadi pejabat penilai bagi dirinya sendiri" in str(caught.value)


def test_an_override_chain_with_a_cycle_is_rejected(org):
    # The Kabid is the Kasi's assessor; making the Kasi assess the Kabid closes a loop.
    org.kabid.penilai_override = org.kasi
    with translation.override("id"), pytest.raises(ValidationError) as caught:
        org.kabid.full_clean()
    assert "siklus" in str(caught.value)


def test_a_unit_tree_with_a_cycle_is_rejected(org):
    org.dinkes.parent = org.seksi
    with translation.override("id"), pytest.raises(ValidationError) as caught:
        org.dinkes.full_clean()
    assert "siklus" in str(caught.value)


def test_overlapping_acting_appointments_for_one_post_are_rejected(org):
    first = PenugasanPlt(
        pegawai=org.fungsional,
        jabatan=org.seksi.jabatan_kepala,
        jenis=JenisPenugasan.PLT,
        tanggal_mulai=dt.date(2026, 5, 1),
        tanggal_selesai=dt.date(2026, 7, 31),
        nomor_sk="SK-1",
    )
    first.full_clean()
    first.save()
    second = PenugasanPlt(
        pegawai=org.pelaksana,
        jabatan=org.seksi.jabatan_kepala,
        jenis=JenisPenugasan.PLH,
        tanggal_mulai=dt.date(2026, 7, 15),
        tanggal_selesai=dt.date(2026, 8, 15),
        nomor_sk="SK-2",
    )
    with translation.override("id"), pytest.raises(ValidationError) as caught:
        second.full_clean()
    assert "Tumpang tindih" in str(caught.value)
    assert PenugasanPlt.objects.count() == 1


def test_a_second_holder_of_a_head_post_is_rejected(org):
    rival = PegawaiFactory.build(instansi=org.instansi, unit=org.seksi, jabatan=org.seksi.jabatan_kepala)
    with translation.override("id"), pytest.raises(ValidationError) as caught:
        rival.full_clean()
    assert org.kasi.nama in str(caught.value)


def test_resolving_a_whole_government_costs_a_handful_of_queries(org, django_assert_max_num_queries):
    people = list(type(org.kasi).objects.all())
    with django_assert_max_num_queries(4):
        snap = OrgSnapshot.load(org.instansi, DAY)
        resolved = {p.pk: snap.assessor_of(p) for p in people}
    assert resolved[org.pelaksana.pk] == org.kasi


def test_the_assessor_role_is_derived_from_the_org_chart(org):
    from tests.factories import give_accounts
    from workflow.selectors.org import is_penilai

    give_accounts(org.kasi, org.pelaksana)
    assert is_penilai(org.kasi.user)
    assert not is_penilai(org.pelaksana.user)
