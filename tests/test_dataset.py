"""The tidy dataset of a batch folder: one department over several years, a second one over two report kinds."""

from __future__ import annotations

import csv
import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
import pytest
from hypothesis import given
from hypothesis import strategies as st

from extractor.errors import InputNotFoundError, SettingsError
from extractor.export.dataset import TABLES, build_dataset, code_parts, document_key, load_dataset, normalise_department, to_yuan
from extractor.records import DocumentInfo
from tests.conftest import CORPUS, extracted, read_csv

JS = ["open-budget/JS_swbgt_2017_预算公开表格.pdf", "open-budget/JS_swbgt_2018_部门预算公开表.pdf", "open-budget/JS_swbgt_2019_部门预算公开文件.pdf"]
JS_NOTES_2017 = "open-budget/JS_swbgt_2017_部门预算.pdf"  # the 2017 情况说明, a companion of the 2017 tables
SH = ["tianbaoxitong/SH_PT_czj_2025_部门预算.pdf", "GovBudgetChecker/SH_PT_czj_2024_部门决算.pdf"]
DOCUMENTS = [*JS, JS_NOTES_2017, *SH]
DUPLICATE = "copies/SH_PT_czj_2025_部门预算 (1).pdf"
FAILED = "open-budget/missing.pdf"
MANIFEST_COLUMNS = ("path,sha256,size_bytes,status,error,exit_code,seconds,pages,tables,facts,mismatches,doc_id,duplicate_of,group,"
                    "tool_version,options_hash").split(",")
EXPECTED = read_csv("dataset_values.csv")


def _results() -> dict[str, dict[str, Any]]:
    return {path: extracted(str(CORPUS / path)).to_dict() for path in DOCUMENTS}


def _doc_id(result: dict[str, Any]) -> str:
    return str(result["source"]["sha256"][:16])


def _manifest_rows(results: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for path, result in results.items():
        status = "warning" if any(c["status"] == "mismatch" for c in result["checks"]) else "ok"
        rows.append({"path": path, "sha256": result["source"]["sha256"], "size_bytes": result["source"]["size_bytes"], "status": status,
                     "exit_code": 0, "pages": result["source"]["pages"], "tables": len(result["tables"]), "facts": len(result["facts"]),
                     "doc_id": _doc_id(result), "group": "js2017" if path in (JS[0], JS_NOTES_2017) else ""})
    original = results[SH[0]]
    rows.append({"path": DUPLICATE, "sha256": original["source"]["sha256"], "status": "duplicate", "doc_id": _doc_id(original),
                 "duplicate_of": SH[0]})
    rows.append({"path": FAILED, "status": "failed", "error": "input file not found", "exit_code": 3})
    return rows


def _write_batch_folder(folder: Path, results: dict[str, dict[str, Any]]) -> None:
    (folder / "documents").mkdir(parents=True)
    for result in results.values():
        (folder / "documents" / f"{_doc_id(result)}.json").write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
    with open(folder / "manifest.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, MANIFEST_COLUMNS)
        writer.writeheader()
        writer.writerows(_manifest_rows(results))


@pytest.fixture(scope="module")
def batch_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("dataset")
    _write_batch_folder(folder, _results())
    return folder


@pytest.fixture(scope="module")
def counts(batch_folder: Path) -> dict[str, int]:
    return build_dataset(batch_folder, duckdb=True)


@pytest.fixture(scope="module")
def dataset(batch_folder: Path, counts: dict[str, int]) -> dict[str, Any]:
    return load_dataset(batch_folder)


def test_row_counts_match_the_documents(batch_folder: Path, counts: dict[str, int], dataset: dict[str, Any]) -> None:
    results = _results().values()
    assert counts == {
        "documents": len(DOCUMENTS),
        "tables": sum(len(r["tables"]) for r in results),
        "cells": sum(len(row["cells"]) for r in results for t in r["tables"] for row in t["rows"]),
        "facts": sum(len(r["facts"]) for r in results),
        "line_items": sum(len(r["line_items"]) for r in results),
        # the panel: every cell whose column has a model and whose value is money, and every narrative figure in money
        # with the 年初预算 and the prior year's figure it states beside it
        "panel": sum(1 for r in results for t in r["tables"] for row in t["rows"] for c in row["cells"]
                     if c.get("measure") and not c["measure"].endswith("_pct") and c.get("value") is not None
                     and t.get("unit") in ("元", "万元", "千元", "亿元"))
                 + sum(1 for r in results for f in r["facts"] if f["unit"] in ("元", "万元", "千元", "亿元")
                       for v in (f["value"], f.get("budget_value"), f.get("prior_value")) if v is not None),
        # each document's checks, then the dataset's invariants over them all
        "checks": sum(len(r["checks"]) for r in results) + sum(1 for c in dataset["checks"].rule if c.startswith("dataset.")),
    }
    assert any(dataset["checks"].rule.str.startswith("dataset."))
    for name in TABLES:
        assert len(dataset[name]) == counts[name]
        with open(batch_folder / "data" / f"{name}.csv", encoding="utf-8", newline="") as handle:
            assert sum(1 for _ in csv.DictReader(handle)) == counts[name]
    assert not [p.name for p in (batch_folder / "data").iterdir() if p.name.startswith(".")], "temporary files left behind"


def test_documents_carry_paths_status_and_group(dataset: dict[str, Any]) -> None:
    documents = dataset["documents"].set_index("source_file")
    sh_2025 = documents.loc["SH_PT_czj_2025_部门预算.pdf"]
    assert sh_2025["paths"] == f"{SH[0]}|{DUPLICATE}"
    statuses = {row["path"]: row["status"] for row in _manifest_rows(_results())}
    assert sh_2025["status"] == statuses[SH[0]]  # the original's status, not the duplicate's
    assert FAILED not in "|".join(documents["paths"])
    assert documents.loc["JS_swbgt_2017_预算公开表格.pdf", "group"] == documents.loc["JS_swbgt_2017_部门预算.pdf", "group"] == "js2017"
    assert documents.loc["JS_swbgt_2019_部门预算公开文件.pdf", "n_tables"] == 0


def test_document_key_lines_up_one_department_over_the_years(dataset: dict[str, Any]) -> None:
    documents = dataset["documents"]
    js = documents[documents["region"] == "江苏省"]
    assert js["department"].nunique() == 3  # 中国共产党江苏省委员会办公厅, 中共江苏省委办公厅, 江苏省委办公厅
    assert set(js["document_key"]) == {"江苏省|江苏省委办公厅|provincial|budget"}
    assert sorted(js["fiscal_year"]) == [2017, 2017, 2018, 2019]
    sh = documents[documents["region"] == "上海市普陀区"]
    assert set(sh["document_key"]) == {"上海市普陀区|上海市普陀区财政局|county|budget", "上海市普陀区|上海市普陀区财政局|county|final_accounts"}


def _match(dataset: dict[str, Any], row: dict[str, str]) -> list[tuple[str, str, Decimal | None]]:
    source = dataset["documents"].set_index("source_file")
    doc_id = source.loc[Path(row["path"]).name, "doc_id"]
    if row["record"] == "cell":
        frame = dataset["cells"]
        frame = frame[(frame["table_kind"] == row["table_kind"]) & (frame["column_key"] == row["key"])
                      & (frame["code_key"].fillna("") == row["code"])]
    elif row["record"] == "fact":
        frame = dataset["facts"][dataset["facts"]["key"] == row["key"]]
    else:
        frame = dataset["line_items"][dataset["line_items"]["code"] == row["code"]]
    frame = frame[frame["doc_id"] == doc_id]
    return [(r.value, r.unit, None if pd.isna(r.value_yuan) else r.value_yuan) for r in frame.itertuples()]


@pytest.mark.parametrize("row", EXPECTED, ids=[f"{Path(r['path']).stem}-{r['code'] or r['key']}" for r in EXPECTED])
def test_value_yuan_is_exact(dataset: dict[str, Any], row: dict[str, str]) -> None:
    expected = Decimal(row["value_yuan"]) if row["value_yuan"] else None
    found = _match(dataset, row)
    assert (row["value"], row["unit"], expected) in found
    assert all(isinstance(v, Decimal) for _, _, v in found if v is not None)


def test_parquet_types(batch_folder: Path) -> None:
    schema = pq.read_schema(batch_folder / "data" / "cells.parquet")
    assert str(schema.field("value_yuan").type) == "decimal128(38, 8)"
    assert str(schema.field("value").type) == "string"
    assert str(pq.read_schema(batch_folder / "data" / "facts.parquet").field("value_yuan").type) == "decimal128(38, 8)"


def test_cells_name_their_class_segment_and_item(dataset: dict[str, Any]) -> None:
    cells = dataset["cells"]
    item = cells[(cells["code"] == "2013101") & (cells["fiscal_year"] == 2018) & (cells["table_kind"] == "gpb_expenditure")].iloc[0]
    assert (item["class_code"], item["segment_code"], item["item_code"]) == ("201", "20131", "2013101")
    assert (item["class_name"], item["segment_name"], item["item_name"]) == ("一般公共服务支出", "党委办公厅（室）及相关机构事务", "行政运行")
    assert item["class_name_std"] == "一般公共服务支出"
    assert item["level"] == "项"


def test_a_renamed_class_gets_its_current_name() -> None:
    parts = code_parts("2100101", {"210": "医疗卫生与计划生育支出", "21001": "卫生健康管理事务"})
    assert parts["class_name"] == "医疗卫生与计划生育支出"
    assert parts["class_name_std"] == "卫生健康支出"
    assert parts["item_name"] is None
    economic = code_parts("30101", {"301": "工资福利支出"})
    assert (economic["class_code"], economic["class_name_std"], economic["item_code"]) == ("301", "工资福利支出", None)


def test_multi_year_series_with_pandas(dataset: dict[str, Any]) -> None:
    cells = dataset["cells"]
    key = "江苏省|江苏省委办公厅|provincial|budget"
    series = cells[(cells["document_key"] == key) & (cells["table_kind"] == "gpb_expenditure") & (cells["code_key"] == "201")]
    by_year = dict(zip(series["fiscal_year"], series["value_yuan"], strict=True))
    assert by_year == {2017: Decimal("168451700"), 2018: Decimal("201537500")}  # 2019 printed no tables


def test_multi_year_series_with_duckdb(batch_folder: Path, counts: dict[str, int]) -> None:
    duckdb = pytest.importorskip("duckdb")
    with duckdb.connect(str(batch_folder / "data" / "dataset.duckdb"), read_only=True) as connection:
        rows = connection.execute(
            "SELECT fiscal_year, value_yuan FROM cell_series WHERE document_key = ? AND table_kind = 'gpb_expenditure' AND code_key = '201' "
            "ORDER BY fiscal_year", ["江苏省|江苏省委办公厅|provincial|budget"]).fetchall()
        assert rows == [(2017, Decimal("168451700")), (2018, Decimal("201537500"))]
        for name in TABLES:
            assert connection.execute(f'SELECT count(*) FROM "{name}"').fetchone() == (counts[name],)
        summary = connection.execute("SELECT doc_id, checks FROM check_summary").fetchall()
    assert len(summary) == counts["documents"]
    assert sum(n for _, n in summary) == counts["checks"]


def test_duckdb_requested_but_missing(batch_folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "duckdb", None)
    with pytest.raises(SettingsError) as raised:
        build_dataset(batch_folder, duckdb=True)
    assert str(raised.value) == "duckdb is not installed; pip install 'budget-disclosure-extractor[duckdb]'"


def test_a_database_asked_for_once_is_rebuilt_and_dropped_only_where_it_cannot_be(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import duckdb

    results = {path: result for path, result in _results().items() if path in SH}
    _write_batch_folder(tmp_path, results)
    build_dataset(tmp_path, duckdb=True)
    database = tmp_path / "data" / "dataset.duckdb"
    before = database.stat().st_mtime_ns
    counts = build_dataset(str(tmp_path))  # a re-run without --duckdb keeps the database, rebuilt to match
    assert counts["documents"] == 2 and database.exists() and database.stat().st_mtime_ns > before
    with duckdb.connect(str(database), read_only=True) as connection:
        assert connection.execute("SELECT count(*) FROM documents").fetchone() == (2,)
    monkeypatch.setitem(sys.modules, "duckdb", None)  # where it cannot be rebuilt it would no longer match: removed
    build_dataset(str(tmp_path))
    assert not database.exists()


def test_a_folder_without_manifest(tmp_path: Path) -> None:
    with pytest.raises(InputNotFoundError, match="no manifest.csv in the dataset folder"):
        build_dataset(tmp_path)
    assert not (tmp_path / "data").exists() or not any((tmp_path / "data").iterdir())


@pytest.mark.parametrize(("printed", "normal"), [
    ("中国共产党江苏省委员会办公厅", "江苏省委办公厅"),
    ("中共江苏省委办公厅", "江苏省委办公厅"),
    ("江苏省委办公厅", "江苏省委办公厅"),
    ("上海市普陀区财政局（本级）", "上海市普陀区财政局"),
    ("攀枝花市西区人民政府办公室(汇总)", "攀枝花市西区人民政府办公室"),
    (" “北京市 司法局” ", "北京市司法局"),
    ("国家发展和改革委员会", "国家发展和改革委员会"),
    (None, ""),
])
def test_normalise_department(printed: str | None, normal: str) -> None:
    assert normalise_department(printed) == normal


@given(st.text())
def test_normalise_department_is_idempotent(text: str) -> None:
    once = normalise_department(text)
    assert normalise_department(once) == once


def test_document_key_without_identity() -> None:
    nobody = DocumentInfo(department=None, region=None, government_level=None, fiscal_year=None, report_kind=None, document_type="other",
                          entity=None, scope=None, unit=None, title=None, evidence={})
    assert document_key(nobody) == "|||"


@pytest.mark.parametrize(("value", "unit", "yuan"), [
    ("1002.30", "万元", Decimal("10023000")),
    ("0.01", "亿元", Decimal("1000000")),
    ("-12.5", "千元", Decimal("-12500")),
    ("127", "辆", None),
    (None, "元", None),
    ("1.5", None, None),
    ("0.000000001", "元", None),  # beyond decimal(38, 8): left empty rather than rounded
    ("1" + "0" * 30, "元", None),
    ("Infinity", "元", None),
])
def test_to_yuan(value: str | None, unit: str | None, yuan: Decimal | None) -> None:
    assert to_yuan(value, unit) == yuan


def test_a_notebook_reads_tables_and_csvs_as_printed(batch_folder: Path, counts: dict[str, int], dataset: dict[str, Any]) -> None:
    import extractor

    # a table as a DataFrame: the 类 rows of 重庆政府办's 表五 sum exactly to the sum of their printed cells, one cent over
    # the printed 合计 (the document's own rounding, which its checks report)
    path = str(CORPUS / "renwu/CQ_zfbgt_2026_部门预算.pdf")
    (frame,) = [f for f in extractor.read_tables(path) if f.attrs["kind"] == "gpb_expenditure"]
    column = frame["2026年预算数/总计"]
    assert str(column.dtype) == "decimal128(38, 2)[pyarrow]" and frame.attrs["unit"] == "万元"
    (table,) = [t for t in extracted(path).tables if t.kind == "gpb_expenditure"]
    printed = sum(Decimal(c.value) for r in table.rows if r.level == "类" for c in r.cells if c.column == "2026年预算数/总计" and c.value)
    assert column[frame.level == "类"].sum() == printed == column[frame.total].iloc[0] + Decimal("0.01")
    # the dataset's amounts sum as exact decimals, not Decimal objects in an object column
    cells = dataset["cells"]
    assert str(cells.value_yuan.dtype) == "decimal128(38, 8)[pyarrow]" and isinstance(cells.value_yuan.sum(), Decimal)
    # the README's line keeps codes as text
    read = pd.read_csv(batch_folder / "data" / "cells.csv", dtype=extractor.csv_dtypes("cells"))
    codes = read.code.dropna()
    assert str(read.code.dtype) == "string" and "2010601" in set(codes) and not codes.str.contains(r"\.").any()
    assert read.fiscal_year.dtype == "Int64"
