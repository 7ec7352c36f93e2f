"""Feeds: every Atom/RSS file the site writes, read back with feedparser (a real feed client)."""

from __future__ import annotations

import datetime as dt
import json
import posixpath
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest
from conftest import DUMPS, SEED_STEMS, build_site
from news_digest.feeds import DIGEST_NS, FeedEntry, FeedSpec, link_from, render_feed

#: Seeds given an editor's date (sidecar <stem>.meta.yaml); the others stay undated unless
#: the pipeline resolves a date itself.
DATED = {
    "001_855c344d2a156454": "2024-04-11",
    "002_1d216cd8c5788951": "2024-06-28",
    "004_f1c2a3039ebafd8a": "2024-04-10",
}


@pytest.fixture(scope="module")
def dated_site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("feeds")
    content = root / "content" / "dumps"
    content.mkdir(parents=True)
    for stem in SEED_STEMS:
        (content / f"{stem}.txt").write_bytes((DUMPS / f"{stem}.txt").read_bytes())
        if stem in DATED:
            (content / f"{stem}.meta.yaml").write_text(f"date: {DATED[stem]}\n")
    # A dated dump whose text would be markup if it were not escaped.
    (content / "xss.txt").write_text(
        "Date: 2024-05-01\n\nTiêu đề <b>đậm</b> & thử\n\n"
        "Đoạn đầu <script>alert(1)</script> & <img src=x onerror=alert(1)> kết thúc.\n",
        encoding="utf-8",
    )
    return build_site(root / "content", root / "output")


def feeds_of(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.xml") if "feeds" in p.relative_to(site).parts)


def parse(path: Path):
    parsed = feedparser.parse(path.read_bytes())
    assert parsed.bozo == 0, f"{path}: {parsed.get('bozo_exception')}"
    return parsed


def entry_target(site: Path, feed: Path, link: str) -> Path:
    """The output file an entry link (relative to the feed) points at."""
    rel = posixpath.normpath(posixpath.join(feed.parent.relative_to(site).as_posix(), link))
    return site / rel / "index.html"


def dated_urls(site: Path) -> set[str]:
    """URLs of the Vietnamese article pages that show a date (the sidecar-dated seeds, the
    dated XSS dump, and any other the pipeline dated itself)."""
    report = json.loads((site / "report" / "report.json").read_text())
    pages = {e["source"]: e["url"] for e in report["entries"] if e.get("url")}
    urls = {
        url
        for url in pages.values()
        if 'class="undated"' not in (site / url / "index.html").read_text(encoding="utf-8")
    }
    assert {pages[f"dumps/{stem}.txt"] for stem in DATED} | {pages["dumps/xss.txt"]} <= urls
    return urls


def test_every_feed_parses_and_every_link_resolves(dated_site):
    feeds = feeds_of(dated_site)
    names = {p.relative_to(dated_site).as_posix() for p in feeds}
    assert {"feeds/all.atom.xml", "feeds/all.rss.xml", "feeds/vi.atom.xml", "feeds/vi.rss.xml"} <= names
    assert {"en/feeds/en.atom.xml", "en/feeds/en.rss.xml"} <= names
    for feed in feeds:
        parsed = parse(feed)
        assert parsed.version == ("atom10" if feed.name.endswith(".atom.xml") else "rss20"), feed
        for entry in parsed.entries:
            assert entry_target(dated_site, feed, entry.link).is_file(), (feed, entry.link)


def test_edition_feeds_hold_exactly_the_dated_articles(dated_site):
    expected = dated_urls(dated_site)
    for kind in ("atom", "rss"):
        feed = dated_site / "feeds" / f"vi.{kind}.xml"
        entries = parse(feed).entries
        got = {
            entry_target(dated_site, feed, e.link).parent.relative_to(dated_site).as_posix() + "/"
            for e in entries
        }
        assert got == expected and len(entries) == len(expected)
        # newest first
        dates = [e.published_parsed for e in entries]
        assert dates == sorted(dates, reverse=True)
    en_pages = list((dated_site / "en" / "articles").glob("*/index.html"))
    en_entries = parse(dated_site / "en" / "feeds" / "en.atom.xml").entries
    if en_pages:  # the English edition has article pages: one entry per dated one
        assert len(en_entries) == len(expected)
    else:
        assert en_entries == []
    all_entries = parse(dated_site / "feeds" / "all.atom.xml").entries
    assert len(all_entries) == len(expected) + len(en_entries)


def test_entry_fields_date_outlet_summary(dated_site):
    raw = (dated_site / "feeds" / "vi.atom.xml").read_text(encoding="utf-8")
    assert "<published>2024-04-10T00:00:00+07:00</published>" in raw  # Asia/Ho_Chi_Minh
    parsed = parse(dated_site / "feeds" / "vi.atom.xml")
    by_title = {e.title: e for e in parsed.entries}
    entry = next(e for t, e in by_title.items() if t.startswith("Lãnh đạo Mỹ và Nhật Bản"))
    assert entry.published.startswith("2024-04-10")
    assert "Joe Biden" in entry.summary
    assert entry.author  # the outlet is the entry's author
    rss = (dated_site / "feeds" / "vi.rss.xml").read_text(encoding="utf-8")
    assert "<pubDate>Wed, 10 Apr 2024 00:00:00 +0700</pubDate>" in rss
    for path in (dated_site / "feeds" / "vi.atom.xml", dated_site / "feeds" / "vi.rss.xml"):
        tree = ET.parse(path)
        outlets = tree.getroot().iter(f"{{{DIGEST_NS}}}outlet")
        assert all(o.get("id") and o.text for o in outlets)
        assert len(list(tree.getroot().iter(f"{{{DIGEST_NS}}}outlet"))) == len(dated_urls(dated_site))


def test_dump_text_is_escaped_in_feeds(dated_site):
    for path in (dated_site / "feeds" / "vi.atom.xml", dated_site / "feeds" / "vi.rss.xml"):
        raw = path.read_text(encoding="utf-8")
        assert (
            "<script" not in raw
            and "<img" not in raw
            and "&lt;script" not in raw.replace("&amp;lt;script", "")
        )
        entry = next(e for e in parse(path).entries if "thử" in e.title)
        assert entry.title == "Tiêu đề <b>đậm</b> & thử"  # the title is text, shown as typed
        # the summary is HTML whose text is the dump's text: no element survives
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in entry.summary


def test_topic_feeds_per_edition(dated_site):
    """One Atom and one RSS feed per topic page, in each edition; an entry is in a topic's
    feed exactly when its article page links that topic (the taxonomy stage's topics)."""
    for prefix in ("", "en/"):
        pages = {p.parent.name for p in (dated_site / prefix / "topics").glob("*/index.html")}
        assert pages, "no topic pages"
        feeds = {p.name for p in (dated_site / prefix / "feeds" / "topics").iterdir()}
        assert feeds == {f"{slug}.{kind}.xml" for slug in pages for kind in ("atom", "rss")}
    topics = dated_site / "feeds" / "topics"
    all_links = {e.link for e in parse(dated_site / "feeds" / "vi.atom.xml").entries}
    diplomacy = parse(topics / "ngoai-giao.atom.xml")
    assert diplomacy.entries and all("ngoai-giao" in [t.term for t in e.tags] for e in diplomacy.entries)
    for entry in diplomacy.entries:
        target = entry_target(dated_site, topics / "ngoai-giao.atom.xml", entry.link)
        assert target.is_file() and "topics/ngoai-giao/" in target.read_text(encoding="utf-8")
        assert entry.link.replace("../", "", 1) in all_links
    # every dated article on the diplomacy topic is in the topic feed, and nothing else
    tagged = {
        u
        for u in dated_urls(dated_site)
        if "topics/ngoai-giao/" in (dated_site / u / "index.html").read_text()
    }
    assert len(diplomacy.entries) == len(tagged) >= 2


def test_pages_advertise_their_feeds(dated_site):
    home = (dated_site / "index.html").read_text(encoding="utf-8")
    assert 'type="application/atom+xml"' in home and 'href="./feeds/vi.atom.xml"' in home
    report_en = (dated_site / "en" / "report" / "index.html").read_text(encoding="utf-8")
    assert 'href="../../en/feeds/en.atom.xml"' in report_en


def _entry(**kw) -> FeedEntry:
    base = dict(
        title="Kishida meets Biden",
        url="en/articles/kishida/",
        published=dt.datetime(2024, 4, 10, tzinfo=dt.timezone(dt.timedelta(hours=7))),
        summary="Summary & more",
        lang="en",
        outlet_id="vtv",
        outlet_name="VTV",
        uid="tag:news-digest,2024:en/kishida",
        topics=[("ngoai-giao", "Diplomacy")],
        provenance="machine",
    )
    base.update(kw)
    return FeedEntry(**base)


@pytest.mark.parametrize("kind", ["atom", "rss"])
def test_english_entries_state_translation_provenance(kind):
    spec = FeedSpec(f"en/feeds/en.{kind}.xml", kind, "News Digest", "en", "en/", [_entry()])
    xml = render_feed(spec)
    parsed = feedparser.parse(xml)
    assert parsed.bozo == 0
    (entry,) = parsed.entries
    assert entry.link == "../articles/kishida/"
    assert "(Machine translation.)" in entry.summary and "Summary &amp; more" in entry.summary
    if kind == "atom":
        assert [(t.term, t.label) for t in entry.tags] == [("ngoai-giao", "Diplomacy")]
    else:
        assert [(t.term, t.scheme) for t in entry.tags] == [("Diplomacy", "urn:news-digest:topic:ngoai-giao")]
    root = ET.fromstring(xml.encode())
    (prov,) = root.iter(f"{{{DIGEST_NS}}}translation")
    assert prov.get("provenance") == "machine"


def test_absolute_links_with_siteurl():
    assert link_from("feeds/topics/x.atom.xml", "articles/a/", "") == "../../articles/a/"
    assert link_from("feeds/vi.rss.xml", "", "") == "../"
    assert link_from("feeds/vi.rss.xml", "articles/a/", "https://example.org/d") == (
        "https://example.org/d/articles/a/"
    )
    spec = FeedSpec("feeds/vi.atom.xml", "atom", "t", "vi", "", [_entry(provenance=None)])
    parsed = feedparser.parse(render_feed(spec, "https://example.org"))
    assert parsed.bozo == 0 and parsed.entries[0].link == "https://example.org/en/articles/kishida/"


def test_max_items_keeps_the_newest():
    entries = [
        _entry(
            title=f"t{i}",
            url=f"en/articles/t{i}/",
            uid=f"u{i}",
            published=dt.datetime(2024, 4, 1 + i, tzinfo=dt.timezone(dt.timedelta(hours=7))),
        )
        for i in range(5)
    ]
    spec = FeedSpec("en/feeds/en.rss.xml", "rss", "t", "en", "en/", entries)
    parsed = feedparser.parse(render_feed(spec, max_items=2))
    assert [e.title for e in parsed.entries] == ["t4", "t3"]


def test_translation_provenance_read_from_any_carrier():
    from types import SimpleNamespace as NS

    from news_digest.generators import translation_provenance

    assert translation_provenance(NS(translation_provenance="human")) == "human"
    assert translation_provenance(NS(provenance="machine")) == "machine"
    assert translation_provenance(NS(digest_translation=NS(provenance="human"))) == "human"
    assert translation_provenance(NS(provenance="made-up")) == "none"
    assert translation_provenance(NS()) == "none"


def test_a_limited_feed_is_the_head_of_the_full_feed(tmp_path):
    """With FEED_MAX_ITEMS the build makes entries only for the articles a feed shows
    (generators.feed_specs): every limited feed must be exactly the first items of the same
    feed built without a limit, in the same order (many articles share a day here)."""
    from conftest import GOLD, SEEDS
    from news_digest.corpus import generate_corpus, load_material

    content = tmp_path / "content"
    generate_corpus(load_material(SEEDS, GOLD), 40, content / "dumps", seed=5)
    full = build_site(content, tmp_path / "full", FEED_MAX_ITEMS=None)
    limited = build_site(content, tmp_path / "limited", FEED_MAX_ITEMS=3)
    feeds = feeds_of(full)
    assert len(feeds) > 6
    tags = {"atom": "{http://www.w3.org/2005/Atom}entry", "rss": "item"}
    shortened = 0
    for feed in feeds:
        rel = feed.relative_to(full)
        tag = tags["atom" if feed.name.endswith(".atom.xml") else "rss"]
        items = [ET.tostring(e) for e in ET.parse(feed).getroot().iter(tag)]
        head = [ET.tostring(e) for e in ET.parse(limited / rel).getroot().iter(tag)]
        assert head == items[:3], rel
        shortened += len(items) > 3
    assert shortened >= 4  # the limit did cut feeds


def test_unchanged_feeds_are_not_rewritten(tmp_path):
    """A feed is rewritten only when what it shows changes (generators.write_feeds keeps
    each feed's key): a rebuild leaves every feed alone, a changed title rewrites the
    feeds that show the article, and a deleted feed is written again."""
    from conftest import GOLD, SEEDS
    from news_digest.corpus import generate_corpus, load_material

    content = tmp_path / "content"
    generate_corpus(load_material(SEEDS, GOLD), 30, content / "dumps", seed=7)
    opts = {"CACHE_PATH": str(tmp_path / "cache"), "FEED_MAX_ITEMS": 5}
    out = build_site(content, tmp_path / "out", **opts)

    def stamps():
        return {p.relative_to(out).as_posix(): p.stat().st_mtime_ns for p in feeds_of(out)}

    first = stamps()
    assert len(first) > 6
    build_site(content, out, **opts)
    assert stamps() == first
    # the newest Vietnamese article gets another headline
    atom = "{http://www.w3.org/2005/Atom}"
    titles = [
        e.find(f"{atom}title").text
        for e in ET.parse(out / "feeds" / "vi.atom.xml").getroot().iter(f"{atom}entry")
    ]
    dump, title = next(
        (p, t)
        for t in titles
        for p in sorted((content / "dumps").rglob("*.txt"))
        if t in p.read_text(encoding="utf-8").splitlines()
    )
    dump.write_text(
        dump.read_text(encoding="utf-8").replace(title, title + " (cập nhật)", 1), encoding="utf-8"
    )
    (out / "feeds" / "vi.rss.xml").unlink()
    build_site(content, out, **opts)
    third = stamps()
    changed = {k for k in first if first[k] != third[k]}
    assert {"feeds/vi.atom.xml", "feeds/vi.rss.xml"} <= changed
    assert len(changed) < len(first)  # feeds that do not show it (e.g. other topics) stay
    assert title + " (cập nhật)" in (out / "feeds" / "vi.atom.xml").read_text(encoding="utf-8")
    assert (out / "feeds" / "vi.rss.xml").is_file()
