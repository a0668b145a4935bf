"""Canonical keys for the numbered sections of a disclosure, from their printed titles."""

from __future__ import annotations

import re

# First match wins: the more specific subjects come before the general ones.
_RULES: tuple[tuple[str, str], ...] = (
    ("glossary", r"名词解释|名词说明|术语"),
    ("three_public", r"三公"),
    ("gov_fund", r"政府性基金"),
    ("soc_capital", r"国有资本经营"),
    ("admin_operating_cost", r"机关运行经费"),
    ("procurement", r"政府采购"),
    ("assets", r"国有资产|资产占有"),
    ("performance", r"绩效"),
    ("gpb_basic_expenditure", r"一般公共预算[^，。；]*基本支出"),
    ("fiscal_basic_expenditure", r"财政拨款[^，。；]*基本支出"),
    ("basic_expenditure", r"基本支出"),
    ("project_expenditure", r"项目支出"),
    ("gpb_appropriation", r"一般公共预算"),
    ("fiscal_appropriation", r"财政拨款"),
    ("income_expenditure", r"收支|收入支出|收入和支出"),
    ("income", r"收入"),
    ("expenditure", r"支出"),
    ("other_matters", r"其他|其它|需要说明"),
    ("functions", r"职能|职责|主要工作|工作任务|工作目标"),
    ("organisation", r"机构设置|单位构成|预算单位|决算单位|人员情况"),
    ("overview", r"概况|基本情况"),
    ("tables", r"预算表|决算表|报表|公开表"),
    ("explanation", r"说明|情况"),
)
_COMPILED = tuple((key, re.compile(pattern)) for key, pattern in _RULES)


def section_key(title: str) -> str:
    """Map a printed section title to its canonical key; ``other`` when none fits."""
    for key, pattern in _COMPILED:
        if pattern.search(title):
            return key
    return "other"
