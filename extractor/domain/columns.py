"""Canonical column keys beside the printed header paths, so columns line up across documents.

``本年支出/基本支出/人员经费`` -> ``expenditure.basic.personnel``; parts the vocabulary does not know
(years, ``功能分类``) are left out of the key but kept in the printed path.
"""

from __future__ import annotations

import re

from extractor.domain.labels import normalise_label

_PARTS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), key)
    for pattern, key in (
        (r"^(?:本年)?收入$|^收入预算$", "income"),
        (r"^(?:本年)?支出$|^支出预算$", "expenditure"),
        (r"^(?:合计|总计|小计|本年支出合计|本年收入合计)$", "total"),
        (r"^基本支出", "basic"),
        (r"^人员经费|^工资福利支出$", "personnel"),
        (r"^公用经费|^商品和服务支出$", "public"),
        (r"^项目支出", "project"),
        (r"上缴上级", "remit"),
        (r"经营支出", "business"),
        (r"附属单位", "affiliates"),
        (r"^(?:预算数?|金额|决算数?|预算金额|本年预算数?|\d{4}年预算数?)$", "amount"),
        (r"年初预算", "budget"),
        (r"因公出国", "abroad"),
        (r"公务接待", "reception"),
        (r"公务用车购置及运行|^公务用车$", "vehicle"),
        (r"^(?:公务用车)?购置费?$", "purchase"),
        (r"^(?:公务用车)?运行(?:维护|（维护）)?费$", "operation"),
        (r"机关运行经费", "admin_operating"),
        (r"会议费", "meetings"),
        (r"培训费", "training"),
        (r"一般公共预算", "gpb"),
        (r"政府性基金", "gov_fund"),
        (r"国有资本经营", "soc"),
        (r"财政拨款", "fiscal"),
        (r"上年结转|结转结余", "carryover"),
        (r"事业收入", "service_income"),
        (r"其他收入", "other_income"),
        (r"三公", "three_public"),
        (r"功能分类|科目名称|项目名称|^项目$", "label"),
    )
)


def column_key(path: str) -> str:
    """The canonical key of a printed header path (``/``-separated)."""
    keys: list[str] = []
    for part in path.split("/"):
        label = normalise_label(part).replace("“", "").replace("”", "")
        for pattern, key in _PARTS:
            if pattern.search(label):
                if not keys or keys[-1] != key:
                    keys.append(key)
                break
    return ".".join(keys)
