"""`news-digest inspect` (human view) and `news-digest score`, run through the console script."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import DUMPS, GOLD, SEED_STEMS

BIN = Path(sys.executable).parent / "news-digest"


def run(*args, check=True):
    return subprocess.run([str(BIN), *args], capture_output=True, text=True, check=check)


def test_inspect_prints_every_line_with_label_and_rule_without_colours_when_piped():
    out = run("inspect", str(DUMPS / "000_765a3f8714b815bc.txt")).stdout
    assert "\x1b[" not in out
    assert "   3 + byline      find_byline" in out
    assert "  50 + credit      label_credits" in out
    assert "  52 - boilerplate drop_section_headers" in out
    rows = [r for r in out.splitlines() if r[:4].strip().isdigit()]
    assert len(rows) == 174 - 72  # every non-blank line of the dump


def test_inspect_colours_on_request():
    out = run("inspect", "--color", "always", str(DUMPS / "003_a0877aabd1c36985.txt")).stdout
    assert "\x1b[2;31m   1 - boilerplate drop_section_headers" in out


def test_inspect_json_format_is_unchanged():
    doc = json.loads(run("inspect", "--json", str(DUMPS / "003_a0877aabd1c36985.txt")).stdout)
    assert doc["meta"]["title"] is None and doc["meta"]["title_source"] == "derived"
    assert {"n", "text", "label", "rule", "reason", "kept"} == set(doc["lines"][0])


@pytest.mark.skipif(not (GOLD / "score.py").is_file(), reason="shared gold not present")
def test_score_prints_precision_recall_f1_and_title_accuracy():
    res = run("score", str(GOLD), *[str(DUMPS / f"{s}.txt") for s in SEED_STEMS], "--json")
    lines = res.stdout.splitlines()
    assert any(line.startswith("precision ") and " F1 " in line for line in lines)
    assert "title accuracy 5/5" in res.stdout
    totals = json.loads(lines[-1])
    assert totals["f1"] >= 0.98 and totals["precision"] >= 0.98


def test_score_without_scorer_is_a_usage_error(tmp_path):
    res = run("score", str(tmp_path), str(DUMPS / f"{SEED_STEMS[0]}.txt"), check=False)
    assert res.returncode == 2 and "score.py" in res.stderr
