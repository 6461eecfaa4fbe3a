import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from workflow.nip import make_ni_pppk, make_nip, nomor_induk_check, parse_ni_pppk, parse_nip, validate_nomor_induk


def test_valid_nip_is_split_into_its_parts():
    nip = parse_nip("198503152010012003")
    assert nip.tanggal_lahir == dt.date(1985, 3, 15)
    assert (nip.tmt_tahun, nip.tmt_bulan) == (2010, 1)
    assert nip.jenis_kelamin == 2
    assert nip.urutan == 3


@pytest.mark.parametrize(
    ("nip", "fragment"),
    [
        ("19850315201001200", "tepat 18 digit"),  # 17 digits
        ("1985031520100120AB", "tepat 18 digit"),
        ("198502312010012003", "tanggal lahir"),  # 31 February
        ("198503152010013003", "jenis kelamin"),  # sex digit 3
        ("198503151997012003", "18 tahun"),  # appointed at age 12
        ("198503152010132003", "bulan pengangkatan"),  # month 13
    ],
)
def test_invalid_nip_is_rejected_with_an_indonesian_message(nip, fragment):
    with translation.override("id"), pytest.raises(ValidationError) as caught:
        parse_nip(nip)
    assert fragment in " ".join(caught.value.messages)


def test_invalid_nip_message_in_english_when_chosen():
    with translation.override("en"):
        with pytest.raises(ValidationError) as caught:
            parse_nip("198503152010013003")
        assert "must be 1 (male) or 2 (female)" in caught.value.messages[0]


@given(
    born=st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2000, 12, 31)),
    age=st.integers(min_value=19, max_value=40),
    month=st.integers(min_value=1, max_value=12),
    sex=st.sampled_from([1, 2]),
    seq=st.integers(min_value=1, max_value=999),
)
def test_composed_nip_round_trips(born, age, month, sex, seq):
    nip = parse_nip(make_nip(born, born.year + age, month, sex, seq))
    assert (nip.tanggal_lahir, nip.tmt_tahun, nip.tmt_bulan, nip.jenis_kelamin, nip.urutan) == (
        born,
        born.year + age,
        month,
        sex,
        seq,
    )


# --- NI PPPK, and the number checked against the status (issue 13, item 1) ------------------------

NI_PPPK = "199312282025212001"  # born 28-12-1993, appointed 2025, the code 21, female, sequence 1


def test_a_real_ni_pppk_is_split_into_its_parts():
    ni = parse_ni_pppk(NI_PPPK)
    assert ni.tanggal_lahir == dt.date(1993, 12, 28)
    assert (ni.tmt_tahun, ni.jenis_kelamin, ni.urutan) == (2025, 2, 1)
    assert nomor_induk_check(NI_PPPK, "PPPK") == ni
    validate_nomor_induk(NI_PPPK)  # the field validator takes either format
    validate_nomor_induk("198503152010012003")


@pytest.mark.parametrize(
    ("number", "status", "fragment"),
    [
        # an NI PPPK given for a PNS: digits 13-14 are the PPPK code, not a month
        (NI_PPPK, "PNS", "NIP 199312282025212001: digit 13–14 adalah 21, kode NI PPPK, bukan bulan pengangkatan"),
        # a NIP given for a PPPK: digits 13-14 are a month
        ("198503152010012003", "PPPK", "digit 13–14 adalah 01, yaitu bulan pengangkatan pada NIP PNS"),
        ("199312282025992001", "PPPK", "digit 13–14 harus berisi kode PPPK 21, bukan 99"),
        ("19931228202521200", "PPPK", "NI PPPK harus tepat 18 digit (terbaca 17 karakter)"),
        ("199302302025212001", "PPPK", "NI PPPK 199302302025212001: 8 digit pertama bukan tanggal lahir"),
        ("199312282010212001", "PPPK", "digit 9–12 menunjukkan tahun pengangkatan 2010, paling tinggi pada usia 17"),
        ("199312282025213001", "PPPK", "NI PPPK 199312282025213001: digit ke-15 (jenis kelamin)"),
        ("1993122820252120O1", "PNS", "NIP harus tepat 18 digit"),
    ],
)
def test_a_number_of_the_wrong_kind_or_with_a_wrong_part_is_named_in_indonesian(number, status, fragment):
    with translation.override("id"), pytest.raises(ValidationError) as caught:
        nomor_induk_check(number, status)
    assert fragment in " ".join(caught.value.messages)


def test_a_state_official_may_have_either_number_or_none():
    assert nomor_induk_check("", "pejabat_negara") is None
    assert nomor_induk_check(NI_PPPK, "pejabat_negara").tmt_tahun == 2025
    assert nomor_induk_check("198503152010012003", "pejabat_negara").tmt_bulan == 1


def test_spaces_are_read_away():
    assert nomor_induk_check("19931228 202521 2 001", "PPPK").value == NI_PPPK


births = st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2005, 12, 31))
sexes = st.sampled_from([1, 2])
sequences = st.integers(min_value=0, max_value=999)


@st.composite
def valid_nips(draw):
    born = draw(births)
    return make_nip(born, born.year + draw(st.integers(19, 40)), draw(st.integers(1, 12)), draw(sexes), draw(sequences))


@st.composite
def valid_ni_pppk(draw):
    born = draw(births)
    return make_ni_pppk(born, born.year + draw(st.integers(18, 45)), draw(sexes), draw(sequences))


@given(nip=valid_nips(), ni=valid_ni_pppk())
def test_each_valid_number_is_accepted_for_its_own_status_and_refused_for_the_other(nip, ni):
    assert nomor_induk_check(nip, "PNS").value == nip
    assert nomor_induk_check(ni, "PPPK").value == ni
    for number, status, code in ((nip, "PPPK", "ni_pppk_code"), (ni, "PNS", "nip_is_ni_pppk")):
        with pytest.raises(ValidationError) as caught:
            nomor_induk_check(number, status)
        assert caught.value.code == code  # the message says it is the other kind's number
        validate_nomor_induk(number)


@st.composite
def spoiled(draw):
    """A valid number of either kind with one digit changed, cut, or lengthened."""
    number = draw(st.one_of(valid_nips(), valid_ni_pppk()))
    at = draw(st.integers(0, 17))
    how = draw(st.sampled_from(["digit", "cut", "grow", "letter"]))
    if how == "digit":
        return number[:at] + draw(st.sampled_from("0123456789")) + number[at + 1 :]
    if how == "cut":
        return number[:at] + number[at + 1 :]
    if how == "grow":
        return number[:at] + "7" + number[at:]
    return number[:at] + draw(st.characters()) + number[at + 1 :]


junk = st.one_of(
    st.text(),
    st.text(alphabet="0123456789 ²١٣", max_size=22),
    st.from_regex(r"\A[0-9]{18}\Z"),
    st.integers().map(str),
    spoiled(),
)


@given(number=junk, status=st.sampled_from(["PNS", "PPPK", "pejabat_negara", "", "honorer"]))
def test_junk_numbers_raise_nothing_but_a_validation_error(number, status):
    for check in (lambda: nomor_induk_check(number, status), lambda: validate_nomor_induk(number)):
        try:
            check()
        except ValidationError as exc:
            with translation.override("id"):
                assert exc.messages and all(m.strip() for m in exc.messages)
