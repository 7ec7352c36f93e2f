"""Shared fixtures: paths to the repo, the demo dumps, ../shared gold, and a site builder."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DUMPS = REPO / "content" / "dumps"
SHARED = Path(os.environ.get("NEWS_DIGEST_SHARED", REPO.parent / "shared"))
SEEDS = SHARED / "seeds"
GOLD = SHARED / "gold"
SEED_STEMS = sorted(p.stem for p in DUMPS.glob("*.txt"))


def site_settings(content: Path, output: Path, search: bool = False, **overrides) -> dict:
    """Pelican settings from the project's pelicanconf.py for ``content`` → ``output``."""
    from pelican.settings import read_settings

    return read_settings(
        str(REPO / "pelicanconf.py"),
        override={
            "PATH": str(content),
            "OUTPUT_PATH": str(output),
            "NEWS_DIGEST_SEARCH_INDEX": search,
            **overrides,
        },
    )


def build_site(content: Path, output: Path, search: bool = False, **overrides) -> Path:
    """Build a site with the project's pelicanconf.py, in-process, into ``output``.

    ``search`` runs Pagefind at the end of the build as `make html` does; off by default
    because most tests look at pages, not at the index (it costs a second a build)."""
    from pelican import Pelican

    Pelican(site_settings(content, output, search, **overrides)).run()
    return output


@pytest.fixture(scope="session")
def rules():
    from news_digest.rules import load_rules

    return load_rules()


@pytest.fixture(scope="session")
def gold():
    import json

    assert GOLD.is_dir(), f"gold labels not found at {GOLD} (set NEWS_DIGEST_SHARED)"
    return {p.name[: -len(".gold.json")]: json.loads(p.read_text()) for p in GOLD.glob("*.gold.json")}


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory) -> Path:
    """The demo corpus (content/) built once per session into a temp directory."""
    root = tmp_path_factory.mktemp("demo")
    content = root / "content"
    shutil.copytree(REPO / "content", content)
    return build_site(content, root / "output", search=True)


@pytest.fixture
def make_content(tmp_path):
    """A fresh content/ with chosen seed dumps and extra files: make_content(seeds, extra)."""

    def _make(seeds=(), extra=None) -> Path:
        content = tmp_path / "content"
        (content / "dumps").mkdir(parents=True, exist_ok=True)
        for stem in seeds:
            shutil.copy(DUMPS / f"{stem}.txt", content / "dumps" / f"{stem}.txt")
        for name, data in (extra or {}).items():
            path = content / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
        return content

    return _make


@pytest.fixture(scope="session")
def indexed_site(demo_site) -> Path:
    """The demo site as `make html` makes it, search index included."""
    return demo_site
