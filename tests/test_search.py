"""Search without a browser: folding, what the article template gives Pagefind, the search page."""

from __future__ import annotations

import re

import pytest
from news_digest.search import fold_diacritics


@pytest.mark.parametrize(
    "text, folded",
    [
        ("Hội đàm tại Nhật Bản", "Hoi dam tai Nhat Ban"),
        ("ĐỐI THOẠI răn đe", "DOI THOAI ran de"),
        ("Thủ tướng Fumio Kishida", "Thu tuong Fumio Kishida"),
        ("Ứng phó, ưu tiên, ơn", "Ung pho, uu tien, on"),
    ],
)
def test_fold_diacritics(text, folded):
    assert fold_diacritics(text) == folded
    assert fold_diacritics(folded) == folded


def test_fold_diacritics_word_by_word_equals_folding_the_whole_text():
    """The word memo is exact: folding whole texts character by character gives the same
    string on the seeds and on spacing, NFD input and marks outside Vietnamese."""
    import unicodedata

    from conftest import DUMPS
    from news_digest import search

    def fold_whole(text):
        decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
        return "".join(c for c in decomposed if not unicodedata.combining(c))

    texts = [p.read_text(encoding="utf-8") for p in sorted(DUMPS.glob("*.txt"))]
    texts += [
        "  hai  khoảng\u00a0trắng\tvà\n dòng mới ",
        unicodedata.normalize("NFD", "Nhật Bản, Hà Nội"),
        "café naïve Ångström q\u0323\u0301 \u05e9\u05c1\u05b8 ǅ ẞ",
        "",
    ]
    for text in texts:
        assert search.fold_diacritics(text) == fold_whole(text)
    search._FOLDED_WORDS.clear()  # folded again from an empty memo: the same
    assert search.fold_diacritics(texts[0]) == fold_whole(texts[0])


def article_page(site):
    return next(
        p.read_text(encoding="utf-8")
        for p in sorted(site.glob("articles/*/index.html"))
        if "Kishida" in p.read_text(encoding="utf-8")
    )


def test_article_body_is_indexed_not_the_chrome(demo_site):
    page = article_page(demo_site)
    assert page.count("data-pagefind-body") == 1
    assert re.search(r'<article class="article" data-pagefind-body>', page)
    assert 'data-pagefind-filter="outlet[value]"' in page
    folded = re.search(r'<div class="search-folded" hidden>(.*?)</div>', page, re.S)
    assert folded, "no hidden folded copy"
    text = folded.group(1)
    assert "Kishida" in text and "Nhat Ban" in text and "hoi dam" in text
    assert text == fold_diacritics(text)  # nothing left to fold
    assert "<" not in text  # tags stripped, text escaped


def test_search_page_in_each_edition_explains_browsing_without_js(demo_site):
    for edition in ("", "en/"):
        page = (demo_site / edition / "search" / "index.html").read_text(encoding="utf-8")
        assert "<noscript>" in page
        assert 'pagefind/pagefind-ui.js"' in page and "//" not in re.findall(r'src="([^"]+)"', page)[0]
        links = re.findall(r'<li><a href="([^"]+)"', page)
        assert any(link.endswith("archives/") for link in links)


def test_search_index_is_kept_when_no_article_page_changed(make_content, tmp_path):
    from conftest import build_site

    content = make_content(seeds=["001_855c344d2a156454", "002_1d216cd8c5788951"])
    opts = {"CACHE_PATH": str(tmp_path / "cache"), "NEWS_DIGEST_WORKERS": 1}
    out = build_site(content, tmp_path / "out", search=True, **opts)
    entries = [out / "pagefind" / "pagefind-entry.json", out / "en" / "pagefind" / "pagefind-entry.json"]
    first = [p.stat().st_mtime_ns for p in entries]
    build_site(content, out, search=True, **opts)
    assert [p.stat().st_mtime_ns for p in entries] == first  # nothing changed: index kept
    dump = content / "dumps" / "002_1d216cd8c5788951.txt"
    dump.write_bytes(dump.read_bytes().replace(b"Missouri", "Missouri (Hoa Kỳ)".encode(), 1))
    build_site(content, out, search=True, **opts)
    assert all(p.stat().st_mtime_ns != m for p, m in zip(entries, first, strict=True))
    # With the writer off, nothing says which pages changed: every build re-indexes.
    again = [p.stat().st_mtime_ns for p in entries]
    build_site(content, out, search=True, NEWS_DIGEST_SKIP_UNCHANGED=False, **opts)
    assert all(p.stat().st_mtime_ns != m for p, m in zip(entries, again, strict=True))
