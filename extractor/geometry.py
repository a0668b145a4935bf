"""Boxes on a page and what is done with them, in one place (as pdfplumber's ``utils/geometry.py``).

Coordinates are points with the origin at the page's top-left corner, a box is ``(x0, top, x1, bottom)``:
the order of :data:`extractor.model.BBox`. :class:`Box` is that tuple with names, so a box equals the plain
tuple of its numbers, is written to JSON as the same list and hashes the same; the records keep the plain
tuple type, and every box the readers and the layout stage make is a :class:`Box`.

The arithmetic is written once here, in the same order of operations as the code it replaced, so that every
figure built from it stays the same to the last bit.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Sequence
from typing import NamedTuple, Protocol

# A box as the records hold it and read it back from JSON: a plain tuple. A Box is one.
BBox = tuple[float, float, float, float]


class Positioned(Protocol):
    """Anything with a box's four edges as attributes: a character, a rule, a box."""

    @property
    def x0(self) -> float: ...

    @property
    def top(self) -> float: ...

    @property
    def x1(self) -> float: ...

    @property
    def bottom(self) -> float: ...


class Box(NamedTuple):
    """A box on a page: left, top, right and bottom edges in points (top < bottom going down the page)."""

    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def middle_x(self) -> float:
        """The x of the box's centre."""
        return (self.x0 + self.x1) / 2

    @property
    def middle_y(self) -> float:
        """The y of the box's centre (the height of its middle)."""
        return (self.top + self.bottom) / 2

    def contains_point(self, x: float, y: float, margin: float = 0.0) -> bool:
        """Whether the point lies in the box grown by ``margin`` (edges included)."""
        return self.x0 - margin <= x <= self.x1 + margin and self.top - margin <= y <= self.bottom + margin

    def holds_centre_of(self, other: BBox, margin: float = 0.0) -> bool:
        """Whether the centre of ``other`` lies in the box grown by ``margin``: the test that puts a line or a
        character in a table's area or a cell."""
        x = (other[0] + other[2]) / 2
        y = (other[1] + other[3]) / 2
        return self.contains_point(x, y, margin)

    def contains(self, other: BBox, dx: float = 0.0, dy: float | None = None) -> bool:
        """Whether ``other`` lies wholly in the box grown by ``dx`` sideways and ``dy`` (by default ``dx``) up
        and down (edges included); a negative margin shrinks the box (the OCR reader keeps clear of a text
        run's top and bottom fifth)."""
        dy = dx if dy is None else dy
        return self.x0 - dx <= other[0] and other[2] <= self.x1 + dx and self.top - dy <= other[1] and other[3] <= self.bottom + dy

    def overlaps(self, other: BBox) -> bool:
        """Whether the two boxes share some area (boxes that only touch along an edge do not)."""
        return self.x0 < other[2] and other[0] < self.x1 and self.top < other[3] and other[1] < self.bottom

    def x_overlap(self, x0: float, x1: float) -> float:
        """How much of the horizontal span ``[x0, x1]`` the box covers (0 when they do not meet)."""
        return max(0.0, min(self.x1, x1) - max(self.x0, x0))


def boxes_of(x0: Iterable[float], top: Iterable[float], x1: Iterable[float], bottom: Iterable[float]) -> Iterator[Box]:
    """``map(Box, x0, top, x1, bottom)``, without NamedTuple's Python-level ``__new__`` for each box (the table
    finder makes a box for every line of every cell)."""
    return map(_make_box, zip(x0, top, x1, bottom, strict=True))


_make_box = functools.partial(tuple.__new__, Box)  # Box(*edges) from a tuple of the four, without the Python-level __new__
ZERO = Box(0.0, 0.0, 0.0, 0.0)  # the box of nothing printed (a line whose characters have no positions)


def union(boxes: Sequence[BBox]) -> Box:
    """The smallest box holding every box given; :data:`ZERO` for none."""
    if not boxes:
        return ZERO
    return Box(min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def bounds(objects: Sequence[Positioned]) -> Box:
    """The smallest box holding every object given (characters, rules, boxes); :data:`ZERO` for none."""
    if not objects:
        return ZERO
    return Box(min(o.x0 for o in objects), min(o.top for o in objects), max(o.x1 for o in objects), max(o.bottom for o in objects))
