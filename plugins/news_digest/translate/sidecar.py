"""Human translations written by editors: ``translations/<stem>.en.md``.

A sidecar is Markdown. The English title comes from YAML front matter (``title:``)
or, failing that, from the first ``# `` heading; the rest is the body. Raw HTML in a
sidecar is never passed through: it is shown as text (escaped), images are reduced to
their alt text (the site makes no remote requests) and links keep only safe schemes.
"""

from __future__ import annotations

import re
import unicodedata
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field

import markdown
import yaml
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from ..model import DigestArticle, Translation
from .base import HUMAN

SUFFIX = ".en.md"
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*(?:\n|\Z)", re.DOTALL)
_H1 = re.compile(r"^#[ \t]+(.+?)[ \t#]*$", re.MULTILINE)
_SAFE_SCHEMES = ("http://", "https://", "mailto:", "#", "/")


class SidecarError(Exception):
    """A sidecar that cannot be used (empty, broken front matter, no title/body)."""


@dataclass
class Sidecar:
    """One parsed sidecar: English title, Markdown body, body rendered to safe HTML."""

    path: str  # relative to the content directory, shown in the build report
    stem: str  # the dump this translates
    title: str
    body_markdown: str
    html: str
    paragraphs: list[str] = field(default_factory=list)
    meta: dict = field(default_factory=dict)


def stem_of(filename: str) -> str | None:
    """``000_765a.en.md`` → ``000_765a``; None for files that are not English sidecars."""
    name = filename.rsplit("/", 1)[-1]
    return name[: -len(SUFFIX)] if name.endswith(SUFFIX) and len(name) > len(SUFFIX) else None


class _NeutraliseLinksAndImages(Treeprocessor):
    """Drop hrefs with unsafe schemes (``javascript:``) and replace images by their alt
    text: ``![map](http://x/y.png)`` would make the offline site fetch a remote file."""

    def run(self, root: etree.Element) -> None:
        for parent in root.iter():
            for i, child in enumerate(list(parent)):
                if child.tag == "img":
                    span = etree.Element("span")
                    span.text = child.get("alt", "")
                    span.tail = child.tail
                    parent.remove(child)
                    parent.insert(i, span)
                elif child.tag == "a":
                    href = (child.get("href") or "").strip()
                    if not href.lower().startswith(_SAFE_SCHEMES) and not re.match(r"^[\w./-]+$", href):
                        child.attrib.pop("href", None)


class SafeMarkdown(Extension):
    """Markdown without raw HTML: block and inline HTML become escaped text."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (markdown API)
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.inlinePatterns.deregister("entity")
        md.treeprocessors.register(_NeutraliseLinksAndImages(md), "nd_neutralise", 0)


def render_markdown(text: str) -> str:
    """Markdown → HTML with every raw HTML construct escaped.

    >>> render_markdown("A <b>bold</b> claim")
    '<p>A &lt;b&gt;bold&lt;/b&gt; claim</p>'
    """
    return markdown.markdown(text, extensions=[SafeMarkdown()], output_format="html")


def _plain_paragraphs(body: str) -> list[str]:
    return [" ".join(block.split()) for block in re.split(r"\n\s*\n", body) if block.strip()]


def parse_sidecar(text: str, path: str) -> Sidecar:
    """Parse a sidecar's text; raise :class:`SidecarError` with the reason when unusable."""
    stem = stem_of(path)
    if stem is None:
        raise SidecarError(f"not an English sidecar name (expected <stem>{SUFFIX})")
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").lstrip("\ufeff"))
    if not text.strip():
        raise SidecarError("empty file")
    meta: dict = {}
    body = text
    if text.startswith("---"):
        m = _FRONT_MATTER.match(text)
        if not m:
            raise SidecarError("broken front matter: no closing '---' line")
        try:
            loaded = yaml.safe_load(m.group(1))
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" (line {mark.line + 2})" if mark is not None else ""
            raise SidecarError(f"broken front matter{where}: {getattr(exc, 'problem', exc)}") from None
        if loaded is None:
            loaded = {}
        if not isinstance(loaded, dict):
            raise SidecarError("broken front matter: must be a mapping of 'key: value' lines")
        meta = loaded
        body = text[m.end() :]
    title = meta.get("title")
    if title is not None and not isinstance(title, str):
        raise SidecarError("front matter 'title' must be text")
    title = (title or "").strip()
    if not title:
        h1 = _H1.search(body)
        if h1:
            title = h1.group(1).strip()
            body = body[: h1.start()] + body[h1.end() :]
    if not title:
        raise SidecarError("no title: give 'title:' in front matter or a first '# ' heading")
    if not body.strip():
        raise SidecarError("no body text")
    return Sidecar(
        path=path,
        stem=stem,
        title=title,
        body_markdown=body.strip(),
        html=render_markdown(body.strip()),
        paragraphs=_plain_paragraphs(body),
        meta=meta,
    )


class SidecarTranslator:
    """First link of the chain: an editor's translation, provenance ``human``."""

    name = "sidecar"

    def __init__(self, sidecars: dict[str, Sidecar]):
        self.sidecars = sidecars  # stem → parsed sidecar
        self.used: set[str] = set()

    def translate(self, article: DigestArticle) -> Translation | None:
        sidecar = self.sidecars.get(article.stem)
        if sidecar is None:
            return None
        self.used.add(sidecar.stem)
        return Translation(
            provenance=HUMAN,
            title=sidecar.title,
            paragraphs=sidecar.paragraphs,
            translator=sidecar.path,
            notice="",
            html=sidecar.html,
        )
