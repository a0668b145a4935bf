"""The panel (issue 16): the three research questions (the README's and docs/datasets.md's) run on a dataset of
real documents, and their answers are the figures the documents print."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest

from extractor.batch import BatchSettings, batch
from extractor.export.dataset import build_dataset, panel
from extractor.records import Document
from tests.conftest import CORPUS, ROOT, extracted

FILES = ["open-budget/JS_swbgt_2017_部门预算.pdf", "open-budget/JS_swbgt_2017_预算公开表格.pdf", "open-budget/JS_swbgt_2018_部门预算公开表.pdf",
         "open-budget/JS_swbgt_2019_部门预算公开文件.pdf", "open-budget/JS_gjfy_2017_部门预算公开.pdf", "open-budget/JS_jcy_2017_部门预算.pdf",
         "GovBudgetChecker/SH_PT_ghzyj_2024_部门决算.pdf"]
SCALE = {"元": Decimal(1), "万元": Decimal(10000)}


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    duckdb = pytest.importorskip("duckdb")
    folder = tmp_path_factory.mktemp("panel")
    batch([str(CORPUS / f) for f in FILES], folder, BatchSettings(jobs=2, ocr="never", progress=False))
    build_dataset(folder, duckdb=True)
    assert duckdb is not None
    return folder


def _queries() -> list[str]:
    """The research questions: the README's first, then the two of docs/datasets.md."""
    blocks = []
    for page in (ROOT / "README.md", ROOT / "docs" / "datasets.md"):
        block = re.search(r"<!-- panel -->\s*```sql\n(.*?)```\s*<!-- /panel -->", page.read_text(encoding="utf-8"), re.S)
        assert block, f"{page.name}'s research questions are marked <!-- panel --> … <!-- /panel -->"
        blocks.append(block.group(1))
    queries = [q.strip() for block in blocks for q in block.split(";") if q.strip()]
    assert len(queries) == 3
    return queries


def _run(database: Path, query: str) -> list[tuple[object, ...]]:
    import duckdb

    with duckdb.connect(str(database / "data" / "dataset.duckdb"), read_only=True) as connection:
        return connection.execute(query).fetchall()


def _printed(doc: Document, kind: str, component: str, measure: str, code: str | None = None) -> list[Decimal]:
    """What the document prints under a column model, in 元 (from the extraction, not the dataset)."""
    return [Decimal(c.value) * SCALE[t.unit or "万元"] for t in doc.tables if t.kind == kind for r in t.rows
            if (code is None or r.code == code) and r.budget_unit is None
            for c in r.cells if c.component == component and c.measure == measure and c.value is not None]


def test_a_departments_three_public_expenditure_by_year(database: Path) -> None:
    rows = _run(database, _queries()[0])
    assert [(year, kind, measure) for year, kind, measure, *_ in rows] == [(2017, "budget", "budget"), (2018, "budget", "budget")]
    for (_, _, _, yuan, _, _), name in zip(rows, ("JS_swbgt_2017_预算公开表格.pdf", "JS_swbgt_2018_部门预算公开表.pdf"), strict=True):
        assert [yuan] == _printed(extracted(str(CORPUS / "open-budget" / name)), "three_public", "three_public", "budget")
    assert panel(database, entity="江苏省委办公厅", table_kind="three_public", component="three_public").fiscal_year.tolist() == [2017, 2018]


def test_general_budget_expenditure_by_class_across_a_regions_departments(database: Path) -> None:
    rows = {code: (yuan, departments) for code, _, yuan, departments in _run(database, _queries()[1])}
    expected: dict[str, Decimal] = {}
    for name in ("JS_swbgt_2017_预算公开表格.pdf", "JS_gjfy_2017_部门预算公开.pdf", "JS_jcy_2017_部门预算.pdf"):
        doc = extracted(str(CORPUS / "open-budget" / name))
        for table in doc.tables:
            if table.kind == "gpb_expenditure":
                for row in table.rows:
                    if row.level == "类" and row.budget_unit is None:
                        for cell in row.cells:
                            if (cell.measure, cell.component) == ("budget", "total") and cell.value:
                                expected[row.code] = expected.get(row.code, Decimal(0)) + Decimal(cell.value) * SCALE[table.unit or "万元"]
    assert {code: yuan for code, (yuan, _) in rows.items()} == expected
    assert rows["204"][1] == 2  # 公共安全支出: the court and the procuratorate, not the party office


def test_budget_against_final_accounts_of_one_year(database: Path) -> None:
    rows = _run(database, _queries()[2])
    doc = extracted(str(CORPUS / "GovBudgetChecker/SH_PT_ghzyj_2024_部门决算.pdf"))
    reception = [(budget, final) for entity, year, kind, _, component, budget, final in rows
                 if (entity, year, kind, component) == ("310107|上海市普陀区规划和自然资源局", 2024, "three_public", "reception")]
    assert reception == [(_printed(doc, "three_public", "reception", "budget")[0], _printed(doc, "three_public", "reception", "final")[0])]


def test_a_series_is_one_entity_over_its_years(database: Path) -> None:
    # 江苏省委办公厅 2017-2019: three spellings; 2019 prints no tables, its narrative figures carry the year
    series = panel(database, entity="320000|江苏省委办公厅")
    assert sorted(series.fiscal_year.unique()) == [2017, 2018, 2019]
    narrative = series[(series.table_kind == "narrative") & (series.component == "expenditure_total")]
    assert sorted(narrative.fiscal_year) == [2017, 2019] and (narrative.measure == "budget").all()


def test_the_panel_command_prints_and_writes_the_filtered_panel(database: Path, tmp_path: Path) -> None:
    import pandas as pd
    from click.testing import CliRunner

    import extractor
    from extractor.cli import main

    runner = CliRunner()
    printed = runner.invoke(main, ["panel", str(database), "--entity", "江苏省委办公厅", "--table-kind", "three_public"])
    assert printed.exit_code == 0, printed.output
    expected = panel(database, entity="江苏省委办公厅", table_kind="three_public")
    assert len(pd.read_csv(io.StringIO(printed.stdout), dtype=extractor.csv_dtypes("panel"))) == len(expected) > 0
    written = runner.invoke(main, ["panel", str(database), "--component", "three_public", "-o", str(tmp_path / "p.parquet")])
    assert written.exit_code == 0 and len(pd.read_parquet(tmp_path / "p.parquet")) == len(panel(database, component="three_public"))
    refused = runner.invoke(main, ["panel", str(database), "-o", str(tmp_path / "p.txt")])
    assert refused.exit_code == 2 and "csv or .parquet" in refused.output


def test_the_panel_command_prints_exact_amounts_and_writes_typed_parquet(database: Path, tmp_path: Path) -> None:
    import pyarrow.parquet as pq
    from click.testing import CliRunner

    from extractor.cli import main

    printed = CliRunner().invoke(main, ["panel", str(database)])
    assert printed.exit_code == 0, printed.output
    assert printed.stdout == (database / "data" / "panel.csv").read_text(encoding="utf-8")  # one format for every writer
    amounts = [row["value_yuan"] for row in csv.DictReader(io.StringIO(printed.stdout))]
    assert "0.00" in amounts and all(re.fullmatch(r"-?\d+\.\d\d+", amount) for amount in amounts)  # never 0E-8, never 8 places
    three_public = [Decimal(row["value_yuan"]) for row in csv.DictReader(io.StringIO(printed.stdout))
                    if row["doc_id"] and (row["table_kind"], row["component"], row["budget_unit"]) == ("three_public", "three_public", "")
                    and row["entity_key"] == "320000|江苏省委办公厅" and row["fiscal_year"] == "2018"]
    doc = extracted(str(CORPUS / "open-budget" / "JS_swbgt_2018_部门预算公开表.pdf"))
    assert three_public == _printed(doc, "three_public", "three_public", "budget")
    written = CliRunner().invoke(main, ["panel", str(database), "--table-kind", "three_public", "-o", str(tmp_path / "p.parquet")])
    assert written.exit_code == 0, written.output
    assert pq.read_schema(tmp_path / "p.parquet").remove_metadata() == pq.read_schema(database / "data" / "panel.parquet").remove_metadata()
