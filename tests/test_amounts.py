import re
import sys
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extractor.domain.amounts import normalise_digits, parse_amount
from extractor.domain.labels import printed_text


@pytest.mark.parametrize(
    ("printed", "value", "unit"),
    [
        ("1,002.30", "1002.30", None),
        ("1002.30万元", "1002.30", "万元"),
        ("１，００２．３０", "1002.30", None),
        ("（12.00）", "-12.00", None),
        ("(12.00)", "-12.00", None),
        ("-12.00", "-12.00", None),
        ("1 , 066.60", "1066.60", None),
        ("29,569.515638", "29569.515638", None),
        ("0.00", "0.00", None),
        ("14348853.34元", "14348853.34", "元"),
        ("3.5亿元", "3.5", "亿元"),
        ("12千元", "12", "千元"),
        ("1.00万", "1.00", "万元"),
    ],
)
def test_printed_amounts_parse_exactly(printed: str, value: str, unit: str | None) -> None:
    amount = parse_amount(printed)
    assert amount is not None
    assert amount.value == Decimal(value) and amount.text == value
    assert amount.unit == unit


@pytest.mark.parametrize("printed", ["", " ", "-", "—", "——", "－", None, "abc", "12.3.4", "(12.00", "1,00,0"])
def test_blank_dash_and_garbage_have_no_value(printed: str | None) -> None:
    assert parse_amount(printed) is None


def test_to_yuan_is_exact() -> None:
    amount = parse_amount("29,569.515638万元")
    assert amount is not None and amount.to_yuan() == Decimal("295695156.380000")


@given(st.text())
def test_never_crashes_on_any_text(text: str) -> None:
    parse_amount(text)


@given(st.text(alphabet="0123456789,.()（）-—万元亿千 ，．０１２３", max_size=20))
def test_parsing_is_idempotent(text: str) -> None:
    amount = parse_amount(text)
    if amount is not None:
        assert parse_amount(str(amount)) == amount


@given(st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-10**9, max_value=10**9))
def test_round_trips_decimals(value: Decimal) -> None:
    amount = parse_amount(f"{value:,.2f}")
    assert amount is not None and amount.value == value


def test_whitespace_dropped_is_every_character_regex_space_matches() -> None:
    """normalise_digits and the label forms drop whitespace with str.split: the same characters as \\s, in all Unicode."""
    for point in range(sys.maxunicode + 1):
        if 0xD800 <= point <= 0xDFFF:  # surrogates are not characters
            continue
        ch = chr(point)
        space = bool(re.fullmatch(r"\s", ch))
        assert (normalise_digits(f"1{ch}2") == "12") == space, hex(point)
        assert (printed_text(f"1{ch}2") == "12") == space, hex(point)
