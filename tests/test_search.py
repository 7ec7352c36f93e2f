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
