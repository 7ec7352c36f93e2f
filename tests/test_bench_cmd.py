"""The build benchmark's command line: every setting it overrides reaches Pelican."""

from __future__ import annotations

import sys
from pathlib import Path

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
