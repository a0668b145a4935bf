"""The words every stage reads a disclosure by: total rows and columns, years, amount units.

Defined once here. Where stages mean different things by "a total", each meaning is a named variant below that
says why it differs; they share the total words.
"""

from __future__ import annotations

import re
from decimal import Decimal

# ----- totals -----

TOTAL_WORDS = ("合计", "总计", "小计")
_TOTAL = "|".join(TOTAL_WORDS)

# A header that is a total and nothing more (合计, 小计, 总计): the one column of a header group the others sum
# to. A named total (人员经费合计) heads a part of the group, not the group's total.
TOTAL_ALONE = re.compile(rf"^(?:{_TOTAL})$")

# A row label ending in a total word (合计, 本年收入合计, 支出总计, 人员经费合计, 当年收入小计): a total row of a
# table body, whatever it totals; the caller drops one printed beside a code (a 科目 named …合计 is no total).
TOTAL_ROW = re.compile(rf"(?:{_TOTAL})$")

# A header cell that only labels a total (合计, 小计, or up to 8 characters before 合计/总计: 收入总计, 本年支出合计):
# such cells in the rows above the first amount are the body of an empty financial table, not text content that
# makes it a text table. A named 小计 (当年收入小计) counts as content, as first written.
TOTAL_CELL = re.compile(rf"^(?:{_TOTAL}|[\u4e00-\u9fff]{{0,8}}(?:合计|总计))$")

# A column head whose component is the total: the bare words and the two grand totals a 收入支出决算表 prints as
# column heads beside its parts (本年收入合计 | 财政拨款收入 | …); other named totals are the thing they total.
TOTAL_COLUMN = re.compile(rf"^(?:{_TOTAL}|本年支出合计|本年收入合计)$")

# A row or column of "of which" parts (其中：财政拨款, 其中：（1）公务用车购置费): inside the one before, not beside it.
OF_WHICH = "其中"

# ----- years -----

YEAR = r"(?:19|20)\d{2}"  # a year as printed, 1900-2099: not an amount of four digits (1000, 3000)

# A year named as one (2026年, 2026 年, 2026年度): the year a title, a sentence or a column head speaks of (group 1).
# 度 is part of the match, so what is left when the year is taken out reads without it.
YEAR_NAMED = re.compile(rf"({YEAR})\s*年度?")

# A cell printing a year and nothing else (a header's 2025 | 2026), which parses as an amount but is none.
YEAR_ALONE = re.compile(rf"^{YEAR}$")

# ----- units -----

# The units amounts are printed in, and what one of each is in 元.
UNIT_SCALE: dict[str, Decimal] = {
    "元": Decimal(1),
    "千元": Decimal(1000),
    "万元": Decimal(10000),
    "亿元": Decimal(100000000),
}
UNIT = "|".join(sorted(UNIT_SCALE, key=len, reverse=True))  # for a regex: 千元|万元|亿元|元, the longest first
