"""Batch runs over real corpus files: every input accounted for, resumable after a kill, duplicates once."""

from __future__ import annotations

import csv
import json
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from extractor.batch import BatchSettings, batch, discover
from extractor.errors import SettingsError
from tests.conftest import CORPUS, SEED, SHARED

SMALL = [
    CORPUS / "renwu/BJ_sfj_2026_附件1_情况说明.pdf",
    CORPUS / "renwu/BJ_sfj_2026_附件2_报表.pdf",
    CORPUS / "open-budget/JS_swbgt_2018_部门预算公开表.pdf",
    CORPUS / "renwu/CQ_zfbgt_2026_部门预算.pdf",
]


def _inputs(tmp_path: Path) -> Path:
    """A folder as crawled: the files, one of them twice under another name, a broken one and a zip archive."""
    folder = tmp_path / "in put"  # a space in the path
    folder.mkdir()
    for path in SMALL:
        shutil.copy(path, folder / path.name)
    shutil.copy(SMALL[2], folder / "副本.pdf")
    (folder / "broken.pdf").write_bytes(SMALL[0].read_bytes()[:2000])
    (folder / "notes.txt").write_bytes(b"")
    with zipfile.ZipFile(folder / "archive.zip", "w") as archive:
        archive.write(CORPUS / "open-budget/JS_swbgt_2017_预算公开表格.pdf", "tables/JS_swbgt_2017_预算公开表格.pdf")
    return folder


def _manifest(out: Path) -> list[dict[str, str]]:
    with open(out / "manifest.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_a_batch_accounts_for_every_input(tmp_path: Path) -> None:
    folder = _inputs(tmp_path)
    out = tmp_path / "dataset"
    rows = batch([folder], out, BatchSettings(jobs=2, progress=False))
    names = sorted(Path(r.path.split("!")[-1]).name for r in rows)
    assert names == sorted([p.name for p in SMALL] + ["副本.pdf", "broken.pdf", "notes.txt", "JS_swbgt_2017_预算公开表格.pdf"])
    by_name = {Path(r.path.split("!")[-1]).name: r for r in rows}
    assert by_name["broken.pdf"].status == "failed" and by_name["broken.pdf"].exit_code == 6
    assert by_name["notes.txt"].status == "failed" and by_name["notes.txt"].exit_code == 4
    copy = by_name["副本.pdf"]
    original = by_name[SMALL[2].name]
    assert {copy.status, original.status} >= {"duplicate"} and copy.doc_id == original.doc_id
    assert by_name["JS_swbgt_2017_预算公开表格.pdf"].status in ("ok", "warning")  # read from inside the zip
    assert len(list((out / "documents").glob("*.json"))) == 5
    assert len(_manifest(out)) == len(rows)
    # the 情况说明 and its 报表 are one disclosure, checked together
    group = by_name[SMALL[0].name].group
    assert group and group == by_name[SMALL[1].name].group
    report = json.loads((out / "groups" / f"{group}.json").read_text(encoding="utf-8"))
    assert "narrative.three_public_table" in report["check_counts"]


def test_a_file_over_its_time_is_stopped_and_the_batch_goes_on(tmp_path: Path) -> None:
    # a wide margin each side, so that a busy machine cannot turn the outcome: OCR of an 8-page scan takes tens of
    # seconds against a 2 s limit; the seed, plain text, well under a tenth of it
    scan = CORPUS / "renwu/BJ_zsj_2026_附件1_scanned.pdf"
    rows = batch([scan, SEED], tmp_path / "out", BatchSettings(jobs=1, timeout=2.0, ocr="auto", progress=False))
    slow = next(r for r in rows if r.path.endswith("scanned.pdf"))
    assert slow.status == "failed" and slow.error.startswith("timed out")
    assert next(r for r in rows if r.path.endswith(".txt")).status == "ok"


def test_settings_are_checked() -> None:
    with pytest.raises(SettingsError, match="jobs"):
        BatchSettings(jobs=0)
    with pytest.raises(SettingsError, match="timeout"):
        BatchSettings(timeout=0)


def test_inputs_from_globs_folders_and_zips_each_once(tmp_path: Path) -> None:
    folder = _inputs(tmp_path)
    found = discover([folder, str(folder / "*.pdf"), folder / "archive.zip"])
    paths = [s.path for s in found]
    assert len(paths) == len(set(paths)) == 8
    assert any("archive.zip!tables/" in p for p in paths)


def test_a_killed_batch_resumes_without_redoing_anything(tmp_path: Path) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    sources = sorted((CORPUS / "open-budget").glob("*.pdf")) + sorted((CORPUS / "tianbaoxitong").glob("*.pdf"))
    for path in sources:
        shutil.copy(path, folder / path.name)
    out = tmp_path / "dataset"
    command = [sys.executable, "-m", "extractor.cli", "batch", str(folder), "-o", str(out), "--jobs", "1", "--quiet"]
    first = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    journal = out / "journal.jsonl"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and (not journal.exists() or len(journal.read_text(encoding="utf-8").splitlines()) < 3):
        time.sleep(0.05)
    first.send_signal(signal.SIGKILL)
    first.wait()
    done_before = len(journal.read_text(encoding="utf-8").splitlines())
    assert 3 <= done_before < len(sources)
    assert not (out / "manifest.csv").exists()
    second = subprocess.run(command, capture_output=True, text=True)
    assert second.returncode == 0, second.stderr
    lines = [json.loads(line) for line in journal.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == len(sources)  # each file finished exactly once over the two runs
    assert len({line["sha256"] for line in lines}) == len(sources)
    manifest = _manifest(out)
    assert sorted(Path(r["path"]).name for r in manifest) == sorted(p.name for p in sources)
    assert all(r["status"] in ("ok", "warning") for r in manifest)
    assert len(list((out / "documents").glob("*.json"))) == len(sources)
    # the resumed run says what it did not read again, and the manifest marks those rows
    assert f"not read again ({done_before}): done by an earlier run" in second.stderr
    assert sum(r["reused"] == "true" for r in manifest) == done_before


def test_the_same_batch_runs_on_a_dask_cluster(tmp_path: Path) -> None:
    distributed = pytest.importorskip("dask.distributed", reason="the cluster extra is not installed")
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None) as cluster:
        rows = batch(SMALL[:3], tmp_path / "out", BatchSettings(scheduler=cluster.scheduler_address, progress=False))
    assert all(r.status in ("ok", "warning") for r in rows)
    assert len(list((tmp_path / "out" / "documents").glob("*.json"))) == 3
    assert len(_manifest(tmp_path / "out")) == 3


def _on_a_terminal(command: list[str]) -> tuple[int, bytes]:
    """Run the command with its stderr on a pseudo-terminal: its exit code and what the terminal received."""
    import os
    import pty

    leader, follower = pty.openpty()
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=follower)
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed: the command is over
            break
        if not chunk:
            break
        seen += chunk
    code = process.wait(timeout=300)
    os.close(leader)
    return code, seen


def test_the_progress_line_moves_during_ocr_on_a_terminal_and_is_off_elsewhere(tmp_path: Path) -> None:
    scan = CORPUS / "renwu/BJ_zsj_2026_附件1_scanned.pdf"
    command = [sys.executable, "-m", "extractor.cli", "batch", str(scan), str(SEED), "-o", str(tmp_path / "tty"), "--jobs", "1", "--pages", "1-2"]
    code, seen = _on_a_terminal(command)
    assert code == 0
    text = seen.decode("utf-8", "replace")
    assert "reading  BJ_zsj_2026_附件1_scanned.pdf (OCR page 1 of 8)" in text and "(OCR page 2 of 8)" in text
    assert "[file 2/2]" in text and "ETA" in text
    piped = subprocess.run([*command[:-5], str(tmp_path / "piped"), "--jobs", "1", "--pages", "1-2"], capture_output=True, text=True)
    assert piped.returncode == 0 and "\r" not in piped.stderr and "OCR page" not in piped.stderr


def test_a_second_batch_on_the_same_folder_is_refused_while_the_first_runs(tmp_path: Path) -> None:
    import fcntl

    from extractor.errors import OutputError

    out = tmp_path / "out"
    out.mkdir()
    with open(out / ".batch.lock", "a+b") as running:  # a batch holding the folder
        fcntl.flock(running.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(OutputError, match="another batch is writing to this folder"):
            batch([SEED], out, BatchSettings(jobs=1, progress=False))
        cli = subprocess.run([sys.executable, "-m", "extractor.cli", "batch", str(SEED), "-o", str(out), "--quiet"], capture_output=True, text=True)
        assert cli.returncode == 9 and "another batch" in cli.stderr
    assert not (out / "manifest.csv").exists()
    assert [r.status for r in batch([SEED], out, BatchSettings(jobs=1, progress=False))] == ["ok"]  # free again: it runs


def _patched_zip(path: Path, members: list[tuple[str, bytes]], patch: dict[str, tuple[int, int]] | None = None) -> None:
    """A zip whose members' header fields are then overwritten: {name: (flag bits to set, compression method or -1)}."""
    import struct

    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)
    raw = bytearray(path.read_bytes())
    for name, (flags, method) in (patch or {}).items():
        encoded = name.encode()
        for signature, flag_at, method_at, name_at in ((b"PK\x03\x04", 6, 8, 30), (b"PK\x01\x02", 8, 10, 46)):
            start = 0
            while (start := raw.find(signature, start)) != -1:
                if raw[start + name_at : start + name_at + len(encoded)] == encoded:
                    struct.pack_into("<H", raw, start + flag_at, struct.unpack_from("<H", raw, start + flag_at)[0] | flags)
                    if method >= 0:
                        struct.pack_into("<H", raw, start + method_at, method)
                start += 4
    path.write_bytes(raw)


def test_a_bad_zip_member_is_one_failed_row_and_the_rest_is_read(tmp_path: Path) -> None:
    import warnings

    seed = SEED.read_bytes()
    archive = tmp_path / "crawl.zip"
    gbk = "预算说明".encode("gbk") + b".txt"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the two members of one name are the point
        _patched_zip(archive, [("locked.txt", seed + b" "), ("deflate64.txt", seed + b"  "), ("same.txt", seed), ("same.txt", seed + b"\n"),
                               ("bomb.txt", b"0" * 5_000_000), ("XXXXXXXX.txt", seed + b"   ")],
                     {"locked.txt": (0x1, -1), "deflate64.txt": (0, 9)})
    archive.write_bytes(archive.read_bytes().replace(b"XXXXXXXX.txt", gbk))  # a GBK name without the UTF-8 flag
    rows = {r.path.split("!", 1)[1]: r for r in batch([archive], tmp_path / "out", BatchSettings(jobs=1, progress=False))}
    assert set(rows) == {"locked.txt", "deflate64.txt", "same.txt", "same.txt#2", "bomb.txt", "预算说明.txt"}
    assert rows["locked.txt"].status == "failed" and "encrypted" in rows["locked.txt"].error and rows["locked.txt"].exit_code == 5
    assert rows["deflate64.txt"].status == "failed" and "cannot be unpacked" in rows["deflate64.txt"].error
    assert rows["bomb.txt"].status == "failed" and "zip bomb" in rows["bomb.txt"].error
    assert rows["same.txt"].status == rows["same.txt#2"].status == rows["预算说明.txt"].status == "ok"
    assert rows["same.txt"].sha256 != rows["same.txt#2"].sha256  # each member of the name read, not the last twice
    manifest = list(csv.DictReader(open(tmp_path / "out" / "manifest.csv", encoding="utf-8")))
    assert len(manifest) == 6


def test_planning_holds_no_zip_member_and_a_declared_size_over_the_limit_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from extractor import task as task_module
    from extractor.batch import _Journal, _plan

    archive = tmp_path / "archive.zip"
    _patched_zip(archive, [("a.txt", SEED.read_bytes()), ("b.txt", SEED.read_bytes() + b" ")])
    (tmp_path / "out").mkdir()
    journal = _Journal(tmp_path / "out" / "journal.jsonl")
    try:
        rows, tasks = _plan(discover([archive]), tmp_path / "out", journal, BatchSettings(jobs=1))
        assert len(tasks) == 2 and all("data" not in task for task in tasks)  # each worker reads its own member
        monkeypatch.setattr(task_module, "MAX_MEMBER_BYTES", 100)
        rows, tasks = _plan(discover([archive]), tmp_path / "out", journal, BatchSettings(jobs=1))
        assert not tasks and all("over the 100 byte limit" in r.error for r in rows.values())
    finally:
        journal.close()


def test_terminal_escapes_in_a_member_name_are_shown_escaped_on_the_progress_line(tmp_path: Path) -> None:
    archive = tmp_path / "crawl.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("bad\x1b[2J\x1b]0;owned\x07name.txt", SEED.read_bytes())
    code, seen = _on_a_terminal([sys.executable, "-m", "extractor.cli", "batch", str(archive), "-o", str(tmp_path / "out"), "--jobs", "1"])
    assert code == 0
    assert b"\x1b" not in seen and b"\x07" not in seen  # nothing of the name reaches the terminal as a control
    assert b"bad\\x1b[2J\\x1b]0;owned\\x07name" in seen


def test_planning_opens_each_archive_once_however_many_members(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from extractor.batch import _Journal, _plan

    archive = tmp_path / "many.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for i in range(5000):
            zipped.writestr(f"member-{i}.txt", f"{i}".encode())
    opened = []
    real = zipfile.ZipFile

    class Counting(real):  # type: ignore[misc, valid-type]
        def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
            opened.append(args[0] if args else kwargs.get("file"))
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(zipfile, "ZipFile", Counting)
    sources = discover([archive])
    (tmp_path / "out").mkdir()
    journal = _Journal(tmp_path / "out" / "journal.jsonl")
    try:
        rows, tasks = _plan(sources, tmp_path / "out", journal, BatchSettings(jobs=1))
    finally:
        journal.close()
    assert len(sources) == 5000 and len(rows) == 5000 and len(tasks) == 5000
    assert len([f for f in opened if str(f) == str(archive)]) <= 2  # once to list the members, once to hash them (was once per member)


def test_a_batch_never_reads_its_own_output(tmp_path: Path) -> None:
    # `extract batch self -o self/out` run twice once read its lock, journal, manifest, dataset and documents as inputs
    folder = tmp_path / "self"
    folder.mkdir()
    page = folder / "page.html"
    shutil.copy(CORPUS / "renwu/CQ_swxcb_2026_部门预算情况说明.html", page)
    for given in (str(folder), str(folder), f"{folder}/**", str(folder / "out" / "manifest.csv")):
        command = [sys.executable, "-m", "extractor.cli", "batch", given, "-o", str(folder / "out"), "--jobs", "1", "--quiet"]
        if given.endswith("manifest.csv"):  # the output alone: no input at all
            assert subprocess.run(command, capture_output=True, text=True, timeout=300).returncode == 3
            continue
        result = subprocess.run(command, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, (given, result.stderr)
        assert [r["path"] for r in _manifest(folder / "out")] == [str(page)], given
    assert (folder / "out" / "data" / "documents.csv").exists()  # the dataset was there to be read


def test_the_summary_names_the_failed_files_and_those_that_contradict_themselves(tmp_path: Path) -> None:
    # 长沙's scan fails without OCR; 长春市信访局 2026 (CC_xfj) prints totals its parts do not make (known_inconsistencies.csv)
    files = [SHARED / "pool/长沙_ec7edf3e9052.pdf", CORPUS / "renwu/CC_xfj_2026_部门预算.pdf", CORPUS / "renwu/CQ_zfbgt_2026_部门预算.pdf"]
    run = subprocess.run([sys.executable, "-m", "extractor.cli", "batch", *map(str, files), "-o", str(tmp_path / "ds"), "--ocr", "never",
                          "--quiet", "--jobs", "1"], capture_output=True, text=True, timeout=600)
    first, failed, contradicted, invariants, unverified = run.stderr.strip().splitlines()
    assert run.returncode == 0 and first.startswith("3 files: 1 ok, 1 warning, 1 failed")
    assert re.fullmatch(r"  dataset invariants: \d+ checked, 0 failed", invariants)  # each document's own sums are its checks
    assert failed.startswith("  failed (1): ") and "长沙_ec7edf3e9052.pdf: no page has a text layer" in failed
    manifest = {r["path"]: r for r in csv.DictReader(open(tmp_path / "ds" / "manifest.csv", encoding="utf-8"))}
    mismatches = int(manifest[str(files[1])]["mismatches"])
    assert mismatches and f"with mismatches (1 files, {mismatches} mismatches" in contradicted
    assert f"CC_xfj_2026_部门预算.pdf ({mismatches})" in contradicted
    # the tables its contradictions leave unverified, with the rules they fail, as data/tables.csv has them
    tables = [r for r in csv.DictReader(open(tmp_path / "ds" / "data" / "tables.csv", encoding="utf-8")) if r["verified"] == "false"]
    assert tables and unverified.startswith(f"  unverified tables ({len(tables)} in 1 files")
    assert f"CC_xfj_2026_部门预算.pdf ({len(tables)}: " in unverified and "table.code_hierarchy" in unverified


def test_a_page_whose_tables_are_attached_files_is_checked_with_the_files_beside_it(tmp_path: Path) -> None:
    from extractor.batch import _attached
    from extractor.companions import group_documents

    # 重庆市委宣传部's 2026 page (corpus) prints no table and links eight PDFs; the pool holds the first of them,
    # 2026年重庆市委宣传部部门预算.pdf, which the site serves as W020260302537384806293.pdf
    page = CORPUS / "renwu/CQ_swxcb_2026_部门预算情况说明.html"
    attached = SHARED / "pool/重庆_df5191972149.pdf"
    site = tmp_path / "site"
    site.mkdir()
    shutil.copy(page, site / "index.html")
    shutil.copy(attached, site / "W020260302537384806293.pdf")
    shutil.copy(CORPUS / "renwu/ZZ_gtzyj_2015_部门预算说明.html", site / "other.html")  # attaches 附表.xls, not here
    with zipfile.ZipFile(tmp_path / "crawl.zip", "w") as archive:  # the same two files inside an archive's folder
        archive.write(page, "gggs/index.html")
        archive.write(attached, "gggs/W020260302537384806293.pdf")
    # the folder and the archive in two batches (in one, the archive's copies would be duplicates, not read)
    for inputs, folder in ((tmp_path / "crawl.zip", "/crawl.zip!gggs/"), (site, "/site/")):
        out = tmp_path / f"out_{inputs.stem}"
        rows = batch([inputs], out, BatchSettings(jobs=2, progress=False))
        by_path = {r.path.replace(str(tmp_path), ""): r for r in rows}
        index, pdf = by_path[f"{folder}index.html"], by_path[f"{folder}W020260302537384806293.pdf"]
        assert (index.doc_id, pdf.doc_id) in _attached(rows, out) and {index.status, pdf.status} <= {"ok", "warning"}
        assert index.group and index.group == pdf.group
    warnings = json.loads((out / "documents" / f"{by_path['/site/index.html'].doc_id}.json").read_text(encoding="utf-8"))["warnings"]
    assert [w["message"][:56] for w in warnings if w["code"] == "tables_in_attachments"] == [
        "the page prints no table and attaches 8 file(s) that may"]
    assert not [link for link in _attached(rows, out) if by_path["/site/other.html"].doc_id in link]
    # a page and its attached file join one group even where the file names no department or year of its own
    documents = out / "documents"
    other = by_path["/site/other.html"].doc_id
    pair = [(doc_id, documents / f"{doc_id}.json") for doc_id in (by_path["/site/index.html"].doc_id, other)]
    groups = group_documents(pair, tmp_path / "groups", links=[(pair[0][0], other)])
    assert groups[pair[0][0]] == groups[other]
    report = json.loads(next((tmp_path / "groups" / "groups").glob("*.json")).read_text(encoding="utf-8"))
    assert "a page and its attached files" in report["key"] or " + " in report["key"]
