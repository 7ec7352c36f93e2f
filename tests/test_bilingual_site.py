"""Both editions of the built site: every page has its counterpart, and they link each other."""

from __future__ import annotations

import posixpath
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import SEED_STEMS, build_site

LANGS = ("vi", "en")


class PageLinks(HTMLParser):
    """<html lang>, hreflang alternates in <head> and the language switcher's links."""

    def __init__(self):
        super().__init__()
        self.lang = None
        self.alternates: dict[str, str] = {}
        self.switcher: dict[str, str] = {}
        self._in_switch = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        elif tag == "link" and a.get("rel") == "alternate" and a.get("hreflang"):
            self.alternates[a["hreflang"]] = a["href"]
        elif tag == "nav" and "lang-switch" in (a.get("class") or ""):
            self._in_switch += 1
        elif tag == "a" and self._in_switch and a.get("hreflang"):
            self.switcher[a["hreflang"]] = a["href"]

    def handle_endtag(self, tag):
        if tag == "nav" and self._in_switch:
            self._in_switch -= 1


def parse(path: Path) -> PageLinks:
    p = PageLinks()
    p.feed(path.read_text(encoding="utf-8"))
    return p


def resolve(site: Path, page_rel: str, href: str) -> str:
    """The output file a relative href on ``page_rel`` points at."""
    assert not re.match(r"^[a-z]+:|^//", href), f"{page_rel}: non-relative link {href}"
    target = posixpath.normpath(posixpath.join(posixpath.dirname(page_rel), href))
    if href.endswith("/") or target == ".":
        target = posixpath.join(target, "index.html") if target != "." else "index.html"
    return target


def edition_of(rel: str) -> str:
    return "en" if rel.startswith("en/") else "vi"


def html_pages(site: Path) -> list[str]:
    return sorted(
        p.relative_to(site).as_posix()
        for p in site.rglob("*.html")
        if not p.relative_to(site).parts[0] == "theme"
    )


def check_editions(site: Path) -> int:
    pages = html_pages(site)
    assert pages, "no pages built"
    checked = 0
    for rel in pages:
        own = edition_of(rel)
        other = "en" if own == "vi" else "vi"
        links = parse(site / rel)
        assert links.lang == own, f"{rel}: <html lang={links.lang!r}>, expected {own!r}"
        assert set(links.alternates) == set(LANGS), f"{rel}: hreflang alternates {links.alternates}"
        assert resolve(site, rel, links.alternates[own]) == rel, f"{rel}: self alternate is wrong"
        counterpart = resolve(site, rel, links.alternates[other])
        expected = "en/" + rel if own == "vi" else rel[len("en/") :]
        assert counterpart == expected, f"{rel}: counterpart {counterpart}, expected {expected}"
        assert (site / counterpart).is_file(), f"{rel}: counterpart {counterpart} missing"
        assert resolve(site, rel, links.switcher[other]) == counterpart, (
            f"{rel}: switcher is not the counterpart"
        )
        back = parse(site / counterpart)
        assert resolve(site, counterpart, back.alternates[own]) == rel, f"{counterpart} does not link back"
        assert resolve(site, counterpart, back.switcher[own]) == rel, (
            f"{counterpart}: switcher does not lead back"
        )
        checked += 1
    return checked


def test_every_page_of_each_edition_has_a_counterpart_that_links_back(demo_site):
    pages = html_pages(demo_site)
    vi = [p for p in pages if edition_of(p) == "vi"]
    en = [p for p in pages if edition_of(p) == "en"]
    assert len(vi) == len(en) >= 5 + 3  # articles + home, archives, report
    assert check_editions(demo_site) == len(pages)


def test_paginated_home_pages_pair_up(make_content, tmp_path):
    content = make_content(seeds=SEED_STEMS)
    out = build_site(content, tmp_path / "out", DEFAULT_PAGINATION=2, DEFAULT_ORPHANS=0)
    assert (out / "index3.html").is_file() and (out / "en" / "index3.html").is_file()
    check_editions(out)
    page2 = parse(out / "en" / "index2.html")
    assert resolve(out, "en/index2.html", page2.switcher["vi"]) == "index2.html"


def test_english_edition_reads_in_english(demo_site):
    home = (demo_site / "en" / "index.html").read_text(encoding="utf-8")
    assert "Latest news" in home and "US and Japanese leaders announce plans" in home
    assert "Lãnh đạo Mỹ" not in home
    vi_home = (demo_site / "index.html").read_text(encoding="utf-8")
    assert "Tin mới nhất" in vi_home and "Trang chủ" in vi_home and "Latest news" not in vi_home
    for page in (demo_site / "en" / "articles").glob("*/index.html"):
        html = page.read_text(encoding="utf-8")
        assert 'data-provenance="human"' in html, page
        assert "Read the Vietnamese original" in html


@pytest.mark.parametrize(("lang_dir", "expected"), [("", "1 tháng 6, 2023"), ("en/", "June 1, 2023")])
def test_dates_are_formatted_per_locale(make_content, tmp_path, lang_dir, expected):
    content = make_content(
        extra={"dumps/dated.txt": "Date: 2023-06-01\n\nTin có ngày\n\nMột đoạn văn bản.\n"}
    )
    out = build_site(content, tmp_path / "out")
    page = next((out / lang_dir / "articles").glob("*/index.html")).read_text(encoding="utf-8")
    assert expected in page
    assert expected in (out / lang_dir / "index.html").read_text(encoding="utf-8")
    assert expected in (out / lang_dir / "archives" / "index.html").read_text(encoding="utf-8")


def test_undated_articles_say_so_in_each_language(make_content, tmp_path):
    content = make_content(
        extra={"dumps/undated.txt": "Tin không ngày\n\nMột đoạn văn bản không nêu ngày tháng.\n"}
    )
    out = build_site(content, tmp_path / "out")
    for lang_dir, undated, other in (("", "Chưa rõ ngày", "Undated"), ("en/", "Undated", "Chưa rõ ngày")):
        for page in ("articles/tin-khong-ngay/index.html", "index.html", "archives/index.html"):
            html = (out / lang_dir / page).read_text(encoding="utf-8")
            assert undated in html and other not in html, lang_dir + page


def test_outlet_names_follow_the_page_language(demo_site):
    slug = "my-va-nhat-ban-to-chuc-doi-thoai-ran-de-mo-rong"
    vi = (demo_site / "articles" / slug / "index.html").read_text(encoding="utf-8")
    en = (demo_site / "en" / "articles" / slug / "index.html").read_text(encoding="utf-8")
    assert '<span class="outlet">VOV</span>' in vi
    assert '<span class="outlet">Voice of Vietnam (VOV)</span>' in en
