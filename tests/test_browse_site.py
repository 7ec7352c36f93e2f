"""Site tests for topic, entity and date pages: exact page sets in both editions, links
from article pages, pagination, and a link check over every generated page."""

from __future__ import annotations

import re

import pytest
from conftest import build_site
from linkcheck import broken_links, pages_under, remote_links

EDITIONS = ("", "en/")

#: Pages the bilingual issue adds (English home and archives); until that branch lands the
#: base template's English navigation points at them. Nothing else may be missing.


def read(path):
    return path.read_text(encoding="utf-8")


def hrefs(html: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', html)


# ------------------------------------------------------------------ demo site (the seeds)

DEMO_TOPIC_PAGES = {"", "quoc-phong/", "ngoai-giao/", "chinh-tri/", "vu-tru/"}

#: Entities named in the seeds' body text (the gold labels): every one must have a page.
DEMO_BODY_ENTITIES = {
    "united-states", "japan", "australia", "south-korea", "united-kingdom", "india", "bahrain",
    "israel", "italy", "ukraine", "philippines",
    "lloyd-austin", "yoshimasa-hayashi", "yasukazu-hamada", "fumio-kishida", "yuko-kishida",
    "joe-biden", "jake-sullivan", "kenichiro-sasae", "shinzo-abe", "donald-trump", "ashton-carter",
    "tomomi-inada", "barack-obama", "ferdinand-marcos-jr",
    "pentagon", "japan-ministry-of-defense", "aukus", "us-forces-japan", "heritage-foundation",
    "white-house", "nasa", "us-congress",
    "tokyo", "washington-dc", "indo-pacific", "missouri", "new-york", "asia-pacific",
    "joint-base-andrews", "maryland", "gaza", "asia",
}  # fmt: skip

#: Date pages of the demo: the resolved publication dates of the five seeds (metadata
#: stage: 000 → 2023-06-01, 001/004 → 2024-04-11, 002 → 2023-06-28, 003 → 2016-12-01).
DEMO_DATE_PAGES = {
    "", "undated/",
    "2016/", "2016/12/", "2016/12/01/",
    "2023/", "2023/06/", "2023/06/01/", "2023/06/28/",
    "2024/", "2024/04/", "2024/04/11/",
}  # fmt: skip


def entity_links_on_article_pages(site, prefix=""):
    found = set()
    for page in site.glob("articles/*/index.html"):
        found |= {m for m in re.findall(r'href="[./]*(?:en/)?entities/([a-z0-9-]+)/"', read(page))}
    return found


@pytest.mark.parametrize("prefix", EDITIONS)
def test_demo_topic_pages_exact(demo_site, prefix):
    assert pages_under(demo_site / prefix, "topics") == DEMO_TOPIC_PAGES


@pytest.mark.parametrize("prefix", EDITIONS)
def test_demo_entity_pages_exact(demo_site, prefix):
    pages = pages_under(demo_site / prefix, "entities")
    entities = {p.rstrip("/") for p in pages if p}
    assert "" in pages  # the index
    # Exactly the entities of the article bodies: none from related cards or lists.
    assert entities == DEMO_BODY_ENTITIES
    # Exactly the entities the article pages link to: no page without an article.
    assert entities == entity_links_on_article_pages(demo_site)


@pytest.mark.parametrize("prefix", EDITIONS)
def test_demo_date_pages_exact(demo_site, prefix):
    """Date pages are exactly the years, months and days of the articles' resolved dates,
    the dates index and the undated page — and agree with each article page's <time>."""
    expected = {"", "undated/"}
    for page in demo_site.glob("articles/*/index.html"):
        m = re.search(r'<time datetime="(\d{4})-(\d{2})-(\d{2})"', read(page))
        if m:
            y, mo, d = m.groups()
            expected |= {f"{y}/", f"{y}/{mo}/", f"{y}/{mo}/{d}/"}
    found = {p for p in pages_under(demo_site / prefix, "dates") if "index" not in p}
    assert found == expected == DEMO_DATE_PAGES


def test_demo_undated_page_lists_undated_articles(demo_site):
    undated = read(demo_site / "dates" / "undated" / "index.html")
    n_undated = sum(
        "undated" in read(p).split("article-meta", 1)[1][:200]
        for p in demo_site.glob("articles/*/index.html")
    )
    assert undated.count('class="card"') == min(n_undated, 20)


def test_demo_every_link_resolves(demo_site):
    assert broken_links(demo_site) == []
    assert remote_links(demo_site) == []


def test_demo_topic_pages_are_bilingual(demo_site):
    vi = read(demo_site / "topics" / "vu-tru" / "index.html")
    en = read(demo_site / "en" / "topics" / "vu-tru" / "index.html")
    assert '<html lang="vi">' in vi and "Vũ trụ" in vi
    assert '<html lang="en">' in en and "Space" in en
    assert "lanh-dao-my-va-nhat-ban-cong-bo-ke-hoach-tang-cuong-hop-tac-quan-su" in vi
    index_en = read(demo_site / "en" / "topics" / "index.html")
    assert "Defence" in index_en and "Diplomacy" in index_en and "Quốc phòng" not in index_en


def test_demo_entity_index_grouped_by_type(demo_site):
    for prefix, names in (
        ("", ("Mỹ", "Kishida Fumio", "Lầu Năm Góc")),
        ("en/", ("United States", "Fumio Kishida", "The Pentagon")),
    ):
        html = read(demo_site / prefix / "entities" / "index.html")
        sections = re.findall(r'<section id="type-(\w+)">', html)
        assert sections == ["country", "person", "organisation", "place"]
        for name in names:
            assert name in html
        country = html.split('id="type-country"')[1].split("</section>")[0]
        assert "entities/united-states/" in country and "entities/fumio-kishida/" not in country


def test_demo_entity_page_lists_articles_and_cooccurring(demo_site):
    html = read(demo_site / "en" / "entities" / "fumio-kishida" / "index.html")
    # Kishida is in the bodies of 000, 001 and 004.
    assert html.count('class="card"') == 3
    related = html.split("related-entities")[1]
    assert "entities/joe-biden/" in related and "entities/united-states/" in related
    assert "entities/fumio-kishida/" not in related


def test_demo_article_links_its_topics_entities_and_date(demo_site):
    page = read(
        demo_site
        / "articles"
        / "lanh-dao-my-va-nhat-ban-cong-bo-ke-hoach-tang-cuong-hop-tac-quan-su"
        / "index.html"
    )
    links = hrefs(page.split('class="article-taxonomy"')[1])
    assert {"../../topics/quoc-phong/", "../../topics/ngoai-giao/", "../../topics/vu-tru/"} <= set(links)
    assert "../../entities/nasa/" in links and "../../entities/fumio-kishida/" in links
    # The date resolved from the body (metadata stage): 10/4 in Washington → 11/4 in Vietnam.
    assert "../../dates/2024/04/11/" in links


def test_main_navigation_links_browse_pages_in_each_edition(demo_site):
    vi = hrefs(read(demo_site / "topics" / "index.html"))
    en = hrefs(read(demo_site / "en" / "topics" / "index.html"))
    assert {"../topics/", "../entities/", "../dates/"} <= set(vi)
    assert {"../../en/topics/", "../../en/entities/", "../../en/dates/"} <= set(en)


# ------------------------------------------------------------------ fixture site with dates

DATED_DUMPS = {
    "dumps/a.txt": "Date: 2023-06-01\n\nMỹ và Nhật Bản tăng cường răn đe\n\n"
    "Bộ trưởng Quốc phòng Mỹ Lloyd Austin thăm Tokyo, thảo luận về tên lửa, tập trận và quân đội hai nước.\n\n"
    "Ông Austin gặp người đồng cấp Nhật Bản.\n",
    "dumps/b.txt": "Date: 2023-06-01\n\nNgoại trưởng Mỹ thăm Hàn Quốc\n\n"
    "Ngoại trưởng Antony Blinken hội đàm với người đồng cấp Hàn Quốc tại Seoul về quan hệ song phương và hợp tác ba bên với Nhật Bản.\n",
    "dumps/c.txt": "Date: 2023-07-15\n\nĐội tuyển Việt Nam thắng trận\n\n"
    "Đội tuyển bóng đá Việt Nam giành chiến thắng, huấn luyện viên khen các cầu thủ sau trận đấu tại Hà Nội.\n",
    "dumps/d.txt": "Date: 2024-04-11\n\nPhi hành gia Nhật Bản sẽ lên mặt trăng\n\n"
    "NASA cho biết phi hành gia Nhật Bản sẽ tham gia sứ mệnh lên mặt trăng; tàu vũ trụ và vệ tinh mới được giới thiệu.\n",
    "dumps/e.txt": "Lạm phát tại Trung Quốc\n\n"
    "Lạm phát và lãi suất tăng, xuất khẩu của Trung Quốc giảm, thị trường chứng khoán biến động mạnh.\n",
}


@pytest.fixture(scope="module")
def dated_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("dated")
    content = root / "content"
    for name, text in DATED_DUMPS.items():
        path = content / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return build_site(content, root / "output", search=True, DEFAULT_PAGINATION=2)


@pytest.mark.parametrize("prefix", EDITIONS)
def test_dated_site_exact_pages(dated_site, prefix):
    out = dated_site / prefix
    assert pages_under(out, "dates") == {
        "", "undated/",
        "2023/", "2023/index2.html", "2023/06/", "2023/06/01/", "2023/07/", "2023/07/15/",
        "2024/", "2024/04/", "2024/04/11/",
    }  # fmt: skip
    assert pages_under(out, "topics") == {
        "", "quoc-phong/", "ngoai-giao/", "the-thao/", "vu-tru/", "kinh-te/",
    }  # fmt: skip
    assert pages_under(out, "entities") == {
        "", "united-states/", "japan/", "japan/index2.html", "lloyd-austin/", "tokyo/", "south-korea/",
        "antony-blinken/", "seoul/", "vietnam/", "hanoi/", "nasa/", "china/",
    }  # fmt: skip


def test_dated_site_period_pages_list_the_right_articles(dated_site):
    day = read(dated_site / "dates" / "2023" / "06" / "01" / "index.html")
    assert day.count('class="card"') == 2 and "01/06/2023" in day
    assert "2023-06-01" in read(dated_site / "en" / "dates" / "2023" / "06" / "01" / "index.html")
    year = read(dated_site / "dates" / "2023" / "index.html")
    year2 = read(dated_site / "dates" / "2023" / "index2.html")
    # Newest first across the two pages: 15/7 first, then the two 1/6 articles.
    assert year.count('class="card"') == 2 and year2.count('class="card"') == 1
    assert year.index("doi-tuyen-viet-nam-thang-tran") < year.index('rel="next"')
    assert 'href="index2.html"' in year or "dates/2023/index2.html" in year
    assert "2023/06/" in year and "2023/07/" in year  # month links
    undated = read(dated_site / "dates" / "undated" / "index.html")
    assert undated.count('class="card"') == 1 and "lam-phat-tai-trung-quoc" in undated


def test_dated_site_article_links_day_month_year(dated_site):
    page = read(dated_site / "articles" / "my-va-nhat-ban-tang-cuong-ran-de" / "index.html")
    links = set(hrefs(page.split('class="article-taxonomy"')[1]))
    assert {
        "../../dates/2023/06/01/",
        "../../dates/2023/06/",
        "../../dates/2023/",
        "../../topics/quoc-phong/",
    } <= links
    assert {"../../entities/lloyd-austin/", "../../entities/japan/"} <= links


def test_dated_site_every_link_resolves(dated_site):
    assert broken_links(dated_site) == []


def test_linkcheck_reports_missing_and_escaping_links(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text(
        '<a href="../b/">b</a><a href="../../../etc/passwd">x</a><a href="#top">t</a>'
        '<a id="here" href="#here">h</a><a href="https://example.org/">r</a><img src="../a/">',
        encoding="utf-8",
    )
    broken = {(b.url, b.reason) for b in broken_links(tmp_path)}
    assert broken == {
        ("../b/", "no such file"),
        ("../../../etc/passwd", "leaves the output directory"),
        ("#top", "no such id on the page"),
    }
    assert remote_links(tmp_path) == [("a/index.html", "https://example.org/")]


def test_site_can_size_browse_pages_with_paginated_templates(tmp_path):
    content = tmp_path / "content"
    for name, text in DATED_DUMPS.items():
        path = content / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    out = build_site(
        content,
        tmp_path / "out",
        DEFAULT_PAGINATION=1,
        PAGINATED_TEMPLATES={"index": None, "period": 10, "entity": None},
    )
    assert pages_under(out, "dates/2023") == {"", "06/", "06/01/", "07/", "07/15/"}
    assert "index2.html" in pages_under(out, "entities/japan")
    assert "index3.html" in pages_under(out / "en", "entities/japan")


def test_english_browse_pages_link_english_articles(demo_site):
    page_dir = demo_site / "en" / "topics" / "vu-tru"
    links = [h for h in hrefs(read(page_dir / "index.html")) if "/articles/" in h]
    assert links, "the space topic lists no article"
    for h in links:
        target = (page_dir / h).resolve()
        assert (target / "index.html").is_file(), h
        assert target.relative_to(demo_site.resolve()).parts[:2] == ("en", "articles"), h
