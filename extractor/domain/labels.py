"""Row and item labels: printed text kept, plus a normal form for matching."""

from __future__ import annotations

import re

from extractor.domain.vocabulary import OF_WHICH

_BRACKETS = {"(": "（", ")": "）", "[": "［", "]": "］", "【": "［", "】": "］"}  # none maps to another's key
_QUOTES = re.compile(r"[“”\"'‘’「」『』]")
_ORDINAL = re.compile(
    rf"^(?:{OF_WHICH}[:：]|[一二三四五六七八九十]+[、.．]|\d+[、.．](?!\d)|[（(][一二三四五六七八九十\d]+[)）]|[①-⑳])"
)


def printed_text(text: str | None) -> str:
    """The text as printed, whitespace dropped and brackets full-width (quotes kept: 财政拨款“三公”经费)."""
    printed = "".join((text or "").split())  # str.split drops the characters \s matches
    for bracket, full_width in _BRACKETS.items():  # replace is a sixth of translate's time, and every line is printed
        printed = printed.replace(bracket, full_width)
    return printed


def normalise_text(text: str | None) -> str:
    """Drop whitespace and quotes, use full-width brackets."""
    return _QUOTES.sub("", printed_text(text))


def normalise_label(text: str | None) -> str:
    """Normal form of a label: :func:`normalise_text` without leading ordinals (``一、``, ``（二）``, ``其中：``)."""
    label = normalise_text(text)
    previous = None
    while previous != label:
        previous, label = label, _ORDINAL.sub("", label)
    return label


def name_key(name: str | None) -> str:
    """Key for comparing classification names across years and regions.

    ``一般公共服务（类）`` and ``一般公共服务支出`` meet; so do ``其它`` and ``其他``.
    """
    key = normalise_label(name)
    key = re.sub(r"（(?:类|款|项)）$", "", key).replace("其它", "其他")
    return key[:-2] if key.endswith("支出") and len(key) > 2 else key
