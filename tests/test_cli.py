"""The `news-digest` command line, run as a real subprocess through the console script."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import DUMPS, GOLD, SEED_STEMS

BIN = Path(sys.executable).parent / "news-digest"


def run(*args, check=True):
    return subprocess.run([str(BIN), *args], capture_output=True, text=True, check=check)


def test_clean_writes_score_format_and_score_py_reads_it(tmp_path):
    out = tmp_path / "pred"
    run("clean", *[str(DUMPS / f"{s}.txt") for s in SEED_STEMS], "--out", str(out))
    for stem in SEED_STEMS:
        doc = json.loads((out / f"{stem}.json").read_text())
        assert set(doc) == {"kept", "title"}
        assert all(isinstance(n, int) and n >= 1 for n in doc["kept"])
    score = subprocess.run(
        [sys.executable, str(GOLD / "score.py"), str(GOLD), str(out)], capture_output=True, text=True
    )
    assert score.returncode == 0, score.stderr
    assert "MICRO (lines)" in score.stdout


def test_inspect_json_has_lines_and_metadata():
    res = run("inspect", str(DUMPS / "001_855c344d2a156454.txt"), "--json")
    doc = json.loads(res.stdout)
    assert doc["meta"]["title"] == "Liên minh Mỹ - Nhật Bản tăng cường hợp tác"
    assert {"n", "text", "label", "rule", "reason", "kept"} <= set(doc["lines"][0])
    assert len(doc["lines"]) == 34


def test_inspect_rejected_file_names_reason(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    res = run("inspect", str(empty), check=False)
    assert res.returncode == 1
    assert "empty" in res.stdout
