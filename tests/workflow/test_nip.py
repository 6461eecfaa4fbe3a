import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from workflow.nip import make_nip, parse_nip


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
