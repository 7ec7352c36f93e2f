"""Atom and RSS 2.0 feeds from plain feed entries (no Pelican here; the glue builds entries).

Scheme (paths relative to the output directory; ``<p>`` is an edition's prefix, "" or "en/"):

- ``feeds/all.atom.xml``, ``feeds/all.rss.xml``: every dated article of every language;
- ``<p>feeds/<lang>.atom.xml``, ``.rss.xml``: one edition's articles (``feeds/vi.atom.xml``,
  ``en/feeds/en.atom.xml``);
- ``<p>feeds/topics/<topic>.atom.xml``, ``.rss.xml``: one topic in one edition.

Undated articles are left out of every feed: a feed is ordered by publication date and Atom
requires one, and stamping them with the build time would make them look new on every build.
They stay listed in the build report and the archives.

Summaries are plain text; both Atom ``<summary type="html">`` and RSS ``<description>`` are
read as HTML by feed readers, so the text is HTML-escaped once before the XML writer escapes
it again: ``<script>`` in a dump reaches a reader as the text "<script>", never as markup.
"""

from __future__ import annotations

import datetime as _dt
import functools
import hashlib
import posixpath
from dataclasses import dataclass, field
from html import escape

from feedgenerator import Atom1Feed, Rss201rev2Feed

#: XML namespace of news-digest's own per-entry elements (outlet, translation provenance).
DIGEST_NS = "urn:news-digest:feed"

FEED_KINDS = ("atom", "rss")

#: RSS ``<category domain>`` prefix naming a topic by its slug ("urn:news-digest:topic:quoc-phong").
TOPIC_DOMAIN = "urn:news-digest:topic:"

#: Human-readable provenance, appended to English summaries so any feed reader shows it.
PROVENANCE_NOTE = {
    "human": "(Human translation.)",
    "machine": "(Machine translation.)",
    "none": "(Not yet translated: summary built from metadata; the original is in Vietnamese.)",
}


@dataclass
class FeedEntry:
    """One article as a feed shows it. ``url`` is relative to the site root."""

    title: str
    url: str
    published: _dt.datetime  # timezone-aware
    summary: str
    lang: str
    outlet_id: str
    outlet_name: str
    uid: str
    topics: list[tuple[str, str]] = field(default_factory=list)  # (slug, label)
    provenance: str | None = None  # human | machine | none (English entries)


@dataclass
class FeedSpec:
    """One feed file to write."""

    path: str  # relative to the output directory, e.g. "feeds/topics/quoc-phong.atom.xml"
    kind: str  # atom | rss
    title: str
    lang: str | None  # None for the multilingual feed
    home: str  # URL (relative to the site root) of the page the feed mirrors
    entries: list[FeedEntry]


def feed_paths(prefix: str, name: str) -> dict[str, str]:
    """``{"atom": "<prefix>feeds/<name>.atom.xml", "rss": …}`` for one feed name."""
    return {kind: f"{prefix}feeds/{name}.{kind}.xml" for kind in FEED_KINDS}


def link_from(feed_path: str, url: str, siteurl: str) -> str:
    """Link to a site URL as written in a feed at ``feed_path``.

    With a SITEURL the link is absolute; without one (development builds) it is relative to
    the feed's own location, which feed readers resolve against the feed's address:
    ``link_from("feeds/topics/x.atom.xml", "articles/a/", "")`` → ``"../../articles/a/"``.
    """
    if siteurl:
        return f"{siteurl.rstrip('/')}/{url.lstrip('/')}"
    rel = posixpath.relpath(url or ".", posixpath.dirname(feed_path) or ".")
    if url.endswith("/") or not url:
        rel = rel.rstrip("/") + "/"
    return rel


def sort_entries(entries: list[FeedEntry]) -> list[FeedEntry]:
    """Newest first; ties broken by title then URL so the output is stable across builds."""
    return sorted(entries, key=lambda e: (-e.published.timestamp(), e.title, e.url))


def summary_html(entry: FeedEntry) -> str:
    """The entry's summary as escaped HTML, with the translation provenance note if any."""
    text = entry.summary
    note = PROVENANCE_NOTE.get(entry.provenance or "")
    if note:
        text = f"{text} {note}" if text else note
    return escape(text, quote=True)


class _DigestElements:
    """Adds topics as categories, ``<digest:outlet>`` and ``<digest:translation>``."""

    def categories(self, handler, item) -> None:
        raise NotImplementedError

    def digest_elements(self, handler, item) -> None:
        self.categories(handler, item)
        handler.addQuickElement("digest:outlet", item["outlet_name"], {"id": item["outlet_id"]})
        if item.get("provenance"):
            handler.addQuickElement("digest:translation", None, {"provenance": item["provenance"]})


class DigestAtomFeed(_DigestElements, Atom1Feed):
    def categories(self, handler, item) -> None:
        for slug, label in item["topics"]:
            handler.addQuickElement("category", "", {"term": slug, "label": label})

    def root_attributes(self):
        attrs = super().root_attributes()
        attrs["xmlns:digest"] = DIGEST_NS
        return attrs

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        self.digest_elements(handler, item)


class DigestRssFeed(_DigestElements, Rss201rev2Feed):
    def categories(self, handler, item) -> None:
        for slug, label in item["topics"]:
            handler.addQuickElement("category", label, {"domain": f"{TOPIC_DOMAIN}{slug}"})

    def rss_attributes(self):
        attrs = super().rss_attributes()
        attrs["xmlns:digest"] = DIGEST_NS
        return attrs

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        self.digest_elements(handler, item)


@functools.cache
def _feedgenerator_version() -> str:
    from importlib.metadata import version

    return version("feedgenerator")  # reads the package metadata: once per process


def feed_key(spec: FeedSpec, siteurl: str = "", max_items: int | None = None) -> str:
    """What :func:`render_feed` writes depends on, hashed: the spec with the entries it
    shows, the site URL, the item limit, this plugin's code and the feed library's
    version. Equal keys mean equal files, so an unchanged feed need not be rendered."""
    from .cache import code_version

    entries = sort_entries(spec.entries)
    if max_items:
        entries = entries[:max_items]
    shown = (spec.path, spec.kind, spec.title, spec.lang, spec.home, siteurl, max_items, entries)
    h = hashlib.sha256(f"{code_version()}\0{_feedgenerator_version()}\0".encode())
    h.update(repr(shown).encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def render_feed(spec: FeedSpec, siteurl: str = "", max_items: int | None = None) -> str:
    """The XML text of one feed (UTF-8 declared), entries newest first."""
    cls = DigestAtomFeed if spec.kind == "atom" else DigestRssFeed
    home = link_from(spec.path, spec.home, siteurl)
    self_link = link_from(spec.path, spec.path, siteurl)
    feed = cls(
        title=spec.title,
        link=home,
        description=spec.title,
        language=spec.lang,
        feed_url=self_link,
        feed_guid=f"tag:news-digest,2024:{spec.path}" if not siteurl else self_link,
    )
    entries = sort_entries(spec.entries)
    if max_items:
        entries = entries[:max_items]
    for entry in entries:
        link = link_from(spec.path, entry.url, siteurl)
        feed.add_item(
            title=entry.title,
            link=link,
            description=summary_html(entry),
            author_name=entry.outlet_name,
            pubdate=entry.published,
            updateddate=entry.published,
            unique_id=link if siteurl else entry.uid,
            unique_id_is_permalink=bool(siteurl),
            topics=entry.topics,
            outlet_id=entry.outlet_id,
            outlet_name=entry.outlet_name,
            provenance=entry.provenance,
        )
    return feed.writeString("utf-8")
