"""Amounts as printed: exact Decimals with the printed unit, never floats."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from extractor.domain.vocabulary import UNIT, UNIT_SCALE

_UNIT_ALIASES = {"万": "万元", "亿": "亿元", "千": "千元", "元": "元", "万元": "万元", "亿元": "亿元", "千元": "千元"}

# Full-width digits and punctuation as they appear in Word-made PDFs.
_WIDE = str.maketrans("０１２３４５６７８９．，－＋（）", "0123456789.,-+()")
_EMPTY = {"", "-", "--", "—", "——", "－", "–", "/", "\\"}
_AMOUNT = re.compile(
    rf"""^(?P<open>[(（])?(?P<sign>[-−+])?
        (?P<int>\d{{1,3}}(?:,\d{{3}})+|\d+)(?P<frac>\.\d+)?
        (?P<close>[)）])?(?P<unit>{UNIT}|万|亿)?$""",
    re.X,
)


@dataclass(frozen=True)
class Amount:
    """An amount exactly as printed: ``value`` is a Decimal, ``unit`` the printed unit or None."""

    value: Decimal
    unit: str | None = None

    @property
    def text(self) -> str:
        """The value as a decimal string without separators, trailing zeros kept (``1002.30``)."""
        return format(self.value, "f")

    def to_yuan(self, default_unit: str | None = None) -> Decimal | None:
        """The amount in 元, or None when no unit is known."""
        unit = self.unit or default_unit
        return None if unit is None else self.value * UNIT_SCALE[unit]

    def __str__(self) -> str:
        return self.text + (self.unit or "")


_AMOUNT_CELL = re.compile(r"^[(（]?[-−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?[)）]?$")


def is_amount_text(text: str) -> bool:
    """Whether a table cell's whole text is a printed amount (``1,002.30``, ``0.00``, ``15``, ``(12.00)``)."""
    return bool(_AMOUNT_CELL.match(normalise_digits(text)))


def ascii_digits(text: str) -> str:
    """Map full-width digits and punctuation to ASCII, keeping whitespace."""
    return text.translate(_WIDE).replace("−", "-")


@functools.lru_cache(maxsize=1 << 16)  # a cell's or line's text is normalised by the layout, the records and the checks
def normalise_digits(text: str) -> str:
    """Map full-width digits and punctuation to ASCII and drop every whitespace character (``str.split`` drops the
    characters ``\\s`` matches)."""
    if text.isascii():  # most cells: nothing to map (the full-width forms and U+2212 are not ASCII)
        return "".join(text.split())
    return "".join(text.translate(_WIDE).split()).replace("−", "-")


@functools.lru_cache(maxsize=1 << 16)  # a table's cell is read by the layout, its record and the checks alike
def parse_amount(text: str | None) -> Amount | None:
    """Parse a printed amount such as ``1,002.30``, ``1002.30万元``, ``（12.00）``, ``1 , 066.60``.

    Returns None for a blank cell or a dash (no value). Raises nothing on any text: what does not
    read as an amount is None.
    """
    if text is None:
        return None
    compact = normalise_digits(text)
    if compact in _EMPTY:
        return None
    match = _AMOUNT.match(compact)
    if not match or bool(match["open"]) != bool(match["close"]):
        return None
    digits = match["int"].replace(",", "") + (match["frac"] or "")
    try:
        value = Decimal(digits)
    except InvalidOperation:  # pragma: no cover - the pattern admits only digits
        return None
    if match["open"] or match["sign"] in ("-", "−"):
        value = -value
    unit = _UNIT_ALIASES[match["unit"]] if match["unit"] else None
    return Amount(value=value, unit=unit)


def to_yuan(value: Decimal, unit: str) -> Decimal:
    """Convert ``value`` printed in ``unit`` to 元 exactly."""
    return value * UNIT_SCALE[unit]


def decimal_scale(values: Sequence[Decimal | None]) -> int:
    """The decimal places the values' printed digits need (``12.50`` needs 2), so that a decimal128 rounds nothing."""
    exponents = [v.as_tuple().exponent for v in values if v is not None]
    return max([-e for e in exponents if isinstance(e, int)] + [0])
