"""The layout stage's tolerances, named and explained in one place (as pdfplumber's ``TableSettings`` names its
defaults).

Distances are in points (1/72 inch) unless a field says it is a multiple of a line's height or a share. The
defaults are what the corpus was tuned on: the values the code used inline before they were gathered here, so
reading them from :data:`TOLERANCES` changes nothing. The few counts here (cells, amounts, columns) are the
least evidence a layout needs to be a table; text lengths and the domain's vocabulary are not tolerances and
stay with the code that reads them.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

from extractor.errors import SettingsError


@dataclass(frozen=True)
class LayoutTolerances:
    """How far apart things may be and still count as one, or as touching, at each step of the layout stage."""

    # --- ruled grids (layout/grid.py) ---
    # Rules closer than this are one rule, and bands thinner than it are no row or column: a rule drawn twice
    # (a cell border over a row border) lands a point or two off.
    snap: float = 3.0
    # How far a rule may stop short of a crossing rule and still meet it (corners drawn with a gap).
    reach: float = 4.0
    # Where a rule divides a band of the grid (a row or a column), it may stop short of the band's middle by reach,
    # but by no more than this share of the half band: a rule ending at the edge of a header row 6.6 points high
    # (西安's 上年 over 合计 … 培训费) does not divide it.
    reach_share: float = 0.5
    # A table's first or last rule further than this many snaps inside the crossing rules' far ends leaves that
    # side open: the far ends become its edge (a table drawn without its outer border).
    open_edge: float = 2.0
    # A table needs at least this many atoms (rows x columns): fewer is a boxed note or a frame.
    min_grid_cells: int = 4
    # A character joins the line so far when its middle lies within this of the span of the line's last
    # characters: small glyphs (、, a raised code) sit a little off the line's middle.
    line_join: float = 1.0
    # In a line, a gap wider than this many times the line's tallest character is a space between words.
    word_gap: float = 1.5
    # A character crossing a column rule by more than this on both sides is astride it (a label run over).
    astride: float = 0.5
    # Where the neighbours of a character astride a rule are looked for, left and right of it.
    run_search: float = 20.0
    # A character closer than this to its neighbour on the line runs on from it (is the same word).
    run_gap: float = 2.0

    # --- tables without rules (layout/stream.py) ---
    # A gap narrower than this is a space inside a cell, not between columns.
    column_gap: float = 4.0
    # Between two digits the gap must also be wider than this many digits (letter-spaced 20, 153. 75).
    digit_gap: float = 2.0
    # A block under a title ends at a gap taller than this many line heights.
    block_gap: float = 3.0
    # Amounts whose right ends lie within this of one another line up (a right-aligned column).
    amount_alignment: float = 1.5
    # Lines whose middles are closer than this many line heights are one row (a code printed a little higher).
    row_merge: float = 0.8
    # A header phrase covering more than this share of two or more columns spans them.
    span_share: float = 0.3
    # Horizontal rules whose ends differ by less than this belong to one table.
    rule_alignment: float = 6.0
    # A rule within this of a ruled grid's box belongs to that grid (its top or bottom border).
    grid_margin: float = 2.0
    # A character whose middle lies within this left or right of a region is in it (edges drawn tight).
    region_margin: float = 1.0
    # At least this many amounts make a stream table, in at least this many columns.
    min_amounts: int = 2
    min_columns: int = 2
    # An unruled block is a table only when this many amounts end at the same x (figures in sentences do not).
    min_aligned: int = 3

    # --- reading grids into tables (layout/tables.py) ---
    # A title wrapped onto the next line continues on it when the gap is under this many line heights.
    title_wrap: float = 1.5
    # Lines starting or ending within this of a grid's top or bottom are above or below it (captions, notes).
    caption_slack: float = 1.0
    # A table whose bottom lies below this share of the page height reaches the foot (and may go on overleaf).
    foot: float = 0.75
    # A heading over a grid without a title stands no further above it than this many of its line heights.
    heading_gap: float = 3.0
    # A cell belongs to the column its left edge, moved right by cell_nudge, lies in, with column_slack to spare
    # for rules drawn off the column's own edge.
    cell_nudge: float = 0.5
    column_slack: float = 1.0
    # A column is of amounts when at least this share of its body cells are amounts or percentages.
    amount_share: float = 0.6

    # --- sections and the narrative (layout/sections.py, layout/narrative.py) ---
    # A line whose centre lies within this of a table's box is part of the table, never a heading.
    table_area_margin: float = 2.0
    # A title line over a table ends no lower than this below the table's top.
    title_over_table: float = 2.0
    # Lines between a title and its table start no higher than this above the title's bottom.
    between_slack: float = 1.0
    # Share of a page's lines with dot leaders that makes it a contents list (and its continuation).
    leader_share: float = 0.3
    # Share of a page's lines that must be list entries for the page to be a contents list.
    list_share: float = 0.7
    # Share of a page's lines that must be rows of bare amounts for it to be a printed table.
    table_page_share: float = 0.3
    # Line starts are grouped in buckets this wide to find the running text's left edge.
    left_edge_bucket: float = 4.0
    # A line centred under a part's heading within this continues its title.
    centred_offset: float = 30.0
    # A line fills the measure when it ends within wrap_right of the text's right edge; the next line goes on the
    # paragraph when it starts within wrap_left of its left edge.
    wrap_right: float = 15.0
    wrap_left: float = 4.0
    # A narrative line ending further than this left of the page's text edge ends its paragraph.
    short_line: float = 40.0

    def __post_init__(self) -> None:
        """Refuse a value the layout code cannot work with, naming the field (as ``TableSettings`` does): a
        negative or endless distance, a count that is not a whole number, a share above one."""
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            kind = int if field.type in (int, "int") else int | float
            if not isinstance(value, kind) or isinstance(value, bool) or not math.isfinite(value) or value < 0:
                what = "a whole number" if kind is int else "a number"
                raise SettingsError(f"layout tolerance {field.name} must be {what} >= 0, not {value!r}")
        for name in _SHARES:
            if getattr(self, name) > 1:
                raise SettingsError(f"layout tolerance {name} is a share: at most 1, not {getattr(self, name)!r}")


# the fields that are shares of something (of a column, a page's lines, the page's height), not distances
_SHARES = ("reach_share", "span_share", "foot", "amount_share", "leader_share", "list_share", "table_page_share")


TOLERANCES = LayoutTolerances()
