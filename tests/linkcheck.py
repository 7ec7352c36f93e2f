"""Link checker for built sites, reusable by every site test.

``broken_links(output)`` parses every HTML page under ``output`` and returns each local
link (``href``/``src`` of a, link, img, script, source, iframe, form action) that does not
resolve to a file inside ``output``: "dir/" means "dir/index.html", "#id" must name an
element of the same page. Remote links (with a scheme or "//") are listed separately by
``remote_links`` (the site must have none for assets).
"""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

LINK_ATTRS = {"href", "src", "action"}


@dataclass(frozen=True)
class BrokenLink:
    page: str  # path of the page relative to output
    url: str  # the link as written
    reason: str

    def __str__(self) -> str:
        return f"{self.page}: {self.url} ({self.reason})"


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in LINK_ATTRS and value is not None:
                self.links.append(value)
            elif name in ("id", "name") and value:
                self.ids.add(value)


def page_links(path: Path) -> tuple[list[str], set[str]]:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.links, parser.ids


def is_remote(url: str) -> bool:
    parts = urlsplit(url)
    return bool(parts.scheme) or url.startswith("//")


def resolve(output: Path, page: Path, url: str) -> Path | None:
    """File a local link points at (None when it leaves ``output``)."""
    path = unquote(urlsplit(url).path)
    base = output if path.startswith("/") else page.parent
    target = (base / path.lstrip("/")).resolve()
    if path.endswith("/") or path in ("", ".") or target.is_dir():
        target = target / "index.html"
    try:
        target.relative_to(output.resolve())
    except ValueError:
        return None
    return target


def broken_links(output: Path, allow_missing: frozenset[str] = frozenset()) -> list[BrokenLink]:
    """Local links that do not resolve. ``allow_missing`` names target files (relative to
    ``output``, like "en/index.html") another part of the build is known not to write yet."""
    output = Path(output)
    broken: list[BrokenLink] = []
    for page in sorted(output.rglob("*.html")):
        rel = page.relative_to(output).as_posix()
        links, ids = page_links(page)
        for url in links:
            if is_remote(url) or url.startswith(("mailto:", "tel:", "data:", "javascript:")):
                continue
            if url.startswith("#"):
                if url[1:] and url[1:] not in ids:
                    broken.append(BrokenLink(rel, url, "no such id on the page"))
                continue
            target = resolve(output, page, url)
            if target is None:
                broken.append(BrokenLink(rel, url, "leaves the output directory"))
            elif not target.is_file():
                if target.relative_to(output.resolve()).as_posix() in allow_missing:
                    continue
                broken.append(BrokenLink(rel, url, "no such file"))
    return broken


def remote_links(output: Path) -> list[tuple[str, str]]:
    out = []
    for page in sorted(Path(output).rglob("*.html")):
        for url in page_links(page)[0]:
            if is_remote(url):
                out.append((page.relative_to(output).as_posix(), url))
    return out


def pages_under(output: Path, rel_dir: str) -> set[str]:
    """Every page under ``rel_dir`` as "sub/path/" (for index.html) or the file name."""
    root = Path(output) / rel_dir
    found = set()
    for p in root.rglob("*.html"):
        r = p.relative_to(root).as_posix()
        found.add(r[: -len("index.html")] if r.endswith("index.html") else r)
    return found
