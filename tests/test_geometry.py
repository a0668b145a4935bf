"""Box operations and the layout tolerances: the arithmetic the readers and the layout stage share."""

from __future__ import annotations

import json

import pytest

from extractor.errors import SettingsError
from extractor.geometry import ZERO, Box, bounds, union
from extractor.layout.settings import TOLERANCES, LayoutTolerances
from extractor.model import Char

CELL = Box(10.0, 20.0, 110.0, 40.0)


def test_box_is_the_plain_tuple_the_records_hold() -> None:
    # records and their JSON keep plain tuples; a Box must compare, hash and serialise as one
    assert CELL == (10.0, 20.0, 110.0, 40.0)
    assert {CELL: "cell"}[(10.0, 20.0, 110.0, 40.0)] == "cell"
    assert json.dumps(CELL) == "[10.0, 20.0, 110.0, 40.0]"


def test_measures() -> None:
    assert (CELL.width, CELL.height) == (100.0, 20.0)
    assert (CELL.middle_x, CELL.middle_y) == (60.0, 30.0)


def test_holds_centre_of_with_margin() -> None:
    # a line whose middle lies 1.5 points right of the box is in it only with a margin of 1.5 or more
    line = (100.0, 25.0, 123.0, 35.0)  # middle (111.5, 30)
    assert not CELL.holds_centre_of(line)
    assert not CELL.holds_centre_of(line, 1.0)
    assert CELL.holds_centre_of(line, 1.5)


def test_contains_edges_and_margins() -> None:
    assert CELL.contains(CELL)  # edges included
    assert not CELL.contains((9.0, 20.0, 50.0, 30.0))
    assert CELL.contains((9.0, 20.0, 50.0, 30.0), 1.0)
    # a separate vertical margin; a negative one keeps clear of the top and bottom
    assert CELL.contains((8.0, 15.0, 112.0, 45.0), 2.0, 5.0)
    assert not CELL.contains((8.0, 15.0, 112.0, 45.0), 2.0, 4.0)
    assert CELL.contains((20.0, 24.0, 30.0, 36.0), 0.0, -4.0)
    assert not CELL.contains((20.0, 23.0, 30.0, 36.0), 0.0, -4.0)


def test_overlaps_needs_shared_area() -> None:
    assert CELL.overlaps((100.0, 30.0, 200.0, 50.0))
    assert not CELL.overlaps((110.0, 20.0, 200.0, 40.0))  # touching along the right edge only
    assert not CELL.overlaps((10.0, 40.0, 110.0, 60.0))  # touching along the bottom only


def test_x_overlap() -> None:
    assert CELL.x_overlap(100.0, 150.0) == 10.0
    assert CELL.x_overlap(0.0, 500.0) == 100.0
    assert CELL.x_overlap(120.0, 150.0) == 0.0


def test_union_and_bounds() -> None:
    assert union([CELL, (0.0, 30.0, 50.0, 60.0)]) == Box(0.0, 20.0, 110.0, 60.0)
    assert union([]) is ZERO
    chars = [Char("一", 5.0, 10.0, 15.0, 22.0), Char("二", 15.0, 9.5, 25.0, 21.0)]
    assert bounds(chars) == Box(5.0, 9.5, 25.0, 22.0)
    assert bounds([]) == (0.0, 0.0, 0.0, 0.0)


def test_tolerances_keep_the_values_the_corpus_was_tuned_on() -> None:
    assert (TOLERANCES.snap, TOLERANCES.reach, TOLERANCES.word_gap, TOLERANCES.leader_share) == (3.0, 4.0, 1.5, 0.3)
    assert LayoutTolerances(snap=2.5).snap == 2.5


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"snap": -1.0}, "layout tolerance snap must be a number >= 0, not -1.0"),
        ({"reach": float("inf")}, "layout tolerance reach must be a number >= 0, not inf"),
        ({"word_gap": "1.5"}, "layout tolerance word_gap must be a number >= 0, not '1.5'"),
        ({"run_gap": True}, "layout tolerance run_gap must be a number >= 0, not True"),
        ({"min_grid_cells": 2.5}, "layout tolerance min_grid_cells must be a whole number >= 0, not 2.5"),
        ({"foot": 1.2}, "layout tolerance foot is a share: at most 1, not 1.2"),
    ],
)
def test_tolerances_refuse_bad_values(changes: dict[str, object], message: str) -> None:
    with pytest.raises(SettingsError) as raised:
        LayoutTolerances(**changes)  # type: ignore[arg-type]
    assert str(raised.value) == message
