"""The ground truth's own scorer, on our JSON for every truth document."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from extractor.export.json_export import document_to_json
from tests.conftest import CORPUS, SHARED, TRUTH, extracted


def test_meta_facts_and_table_values_meet_the_targets(tmp_path: Path) -> None:
    for meta in sorted(TRUTH.glob("*.meta.json")):
        doc_id = json.loads(meta.read_text(encoding="utf-8"))["doc_id"]
        source = next(CORPUS.rglob(f"{doc_id}.pdf"))
        (tmp_path / f"{doc_id}.json").write_text(document_to_json(extracted(str(source))), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(SHARED / "eval" / "score.py"), "--truth", str(TRUTH), "--pred", str(tmp_path)],
        capture_output=True, text=True, check=True,
    )
    last = result.stdout.strip().splitlines()[-1]
    scores = dict(re.findall(r"(\w+)=([\d.]+)", last))
    assert float(scores["meta"]) == 1.0, last
    assert float(scores["facts_recall"]) >= 0.90, last
    assert float(scores["facts_precision"]) >= 0.90, last
    assert float(scores["values_recall"]) >= 0.98, last
    assert float(scores["values_precision"]) >= 0.98, last
    assert float(scores["sections_recall"]) == 1.0 and float(scores["sections_precision"]) == 1.0, last
