"""The build benchmark's command line: every setting it overrides reaches Pelican."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from conftest import REPO


def test_bench_passes_every_override_to_pelican(tmp_path):
    """Pelican keeps only the last ``-e`` it is given: an earlier bench passed one ``-e``
    per setting, lost CACHE_PATH, and timed warm builds as cold ones."""
    from pelican import get_config, parse_arguments

    sys.path.insert(0, str(REPO / "tests" / "bench"))
    try:
        import bench_build
    finally:
        sys.path.remove(str(REPO / "tests" / "bench"))
    extra = {
        "CACHE_PATH": str(tmp_path / "cache"),
        "NEWS_DIGEST_SEARCH_INDEX": False,
        "NEWS_DIGEST_WORKERS": 2,
    }
    cmd = bench_build.pelican_cmd(tmp_path / "content", REPO / "pelicanconf.py", tmp_path / "out", extra)
    assert Path(cmd[0]).name == "pelican"
    config = get_config(parse_arguments(cmd[1:]))
    assert {k: config[k] for k in extra} == extra


@pytest.mark.slow
def test_ab_bench_builds_a_baseline_revision_beside_the_working_tree(tmp_path, capsys):
    """bench_ab exports the baseline's code, copies the checkout's, builds both on their
    own copies of one corpus (each importing its own plugin) and compares them pair by
    pair; against HEAD, a clean checkout writes byte-identical outputs."""
    import subprocess

    sys.path.insert(0, str(REPO / "tests" / "bench"))
    try:
        import bench_ab
    finally:
        sys.path.remove(str(REPO / "tests" / "bench"))
    args = [
        "--baseline",
        "HEAD",
        "--n",
        "12",
        "--pairs",
        "2",
        "--change",
        "--workdir",
        str(tmp_path),
        "--keep",
    ]
    assert bench_ab.main(args) == 0
    out = capsys.readouterr().out
    assert "pair 1 (baseline first)" in out and "pair 2 (working tree first)" in out
    assert "RATIO warm build (one dump changed) working tree / baseline: median" in out
    assert "phase page fingerprints and rendering: baseline / working tree median" in out
    work = tmp_path / "n12"
    assert (
        work / "baseline-tree" / "themes" / "digest" / "translations" / "vi" / "LC_MESSAGES" / "messages.mo"
    ).is_file()
    # both sides got the same edits: the appended sentence of each pair, in the same dump
    for side in ("baseline", "current"):
        assert (
            sum(
                "(so sánh " in p.read_text(encoding="utf-8") for p in (work / side / "content").rglob("*.txt")
            )
            == 2
        )
    clean = not subprocess.run(
        ["git", "-C", str(REPO), "status", "--porcelain", "plugins", "themes", "pelicanconf.py"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if clean:
        assert "outputs: byte-identical" in out


def test_ab_bench_names_the_output_files_that_differ(tmp_path):
    sys.path.insert(0, str(REPO / "tests" / "bench"))
    try:
        import bench_ab
    finally:
        sys.path.remove(str(REPO / "tests" / "bench"))
    for side in ("a", "b"):
        (tmp_path / side / "en").mkdir(parents=True)
        (tmp_path / side / "index.html").write_text("same", encoding="utf-8")
        (tmp_path / side / "en" / "index.html").write_text(f"edition {side}", encoding="utf-8")
    (tmp_path / "b" / "extra.html").write_text("new", encoding="utf-8")
    assert bench_ab.compare_outputs(tmp_path / "a", tmp_path / "a") == "byte-identical"
    said = bench_ab.compare_outputs(tmp_path / "a", tmp_path / "b")
    assert said.startswith("2 files DIFFER") and said.endswith("e.g. en/index.html, extra.html")
