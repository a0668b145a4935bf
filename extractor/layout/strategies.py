"""Table-finding strategies, chosen by name: each turns a page into the grids of its tables.

- ``lattice``: ruled grids only (every table of the corpus is ruled).
- ``hybrid`` (default): ruled grids, plus grids cut from the text's gaps where a table has horizontal
  rules only or none under its title.
A new strategy is one function added to :data:`STRATEGIES`.
"""

from __future__ import annotations

from collections.abc import Callable

from extractor.layout.grid import Grid, find_grids
from extractor.layout.stream import find_stream_grids
from extractor.model import Page

GridFinder = Callable[[Page], list[Grid]]


def lattice(page: Page) -> list[Grid]:
    """Ruled grids that hold some text (a decorative box is not a table)."""
    return [g for g in find_grids(page) if any(c.lines for c in g.cells)]


def hybrid(page: Page) -> list[Grid]:
    """Ruled grids, then grids cut from the text where rules are missing."""
    ruled = lattice(page)
    grids = ruled + find_stream_grids(page, ruled)
    return sorted(grids, key=lambda g: (g.ys[0], g.xs[0]))


STRATEGIES: dict[str, GridFinder] = {"lattice": lattice, "hybrid": hybrid}
DEFAULT_STRATEGY = "hybrid"
