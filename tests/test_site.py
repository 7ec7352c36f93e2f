"""Site tests: build a fixture site with Pelican into a temp dir and check what came out."""

from __future__ import annotations

import json
import re

from conftest import SEED_STEMS, build_site


def read(path):
    return path.read_text(encoding="utf-8")


def test_demo_site_has_one_page_per_dump_and_report(demo_site):
    pages = sorted(demo_site.glob("articles/*/index.html"))
    assert len(pages) == len(SEED_STEMS) == 5
    assert (demo_site / "index.html").is_file()
    assert (demo_site / "archives" / "index.html").is_file()
    report = json.loads(read(demo_site / "report" / "report.json"))
    assert report["counts"]["total"] == len(report["entries"])
    dumps = [e for e in report["entries"] if e["kind"] == "dump"]
    assert len(dumps) == 5 and all(e["status"].startswith("published") for e in dumps)
    html = read(demo_site / "report" / "index.html")
    for stem in SEED_STEMS:
        assert f"dumps/{stem}.txt" in html


def test_article_page_shows_body_not_noise(demo_site):
    page = read(
        demo_site
        / "articles"
        / "lanh-dao-my-va-nhat-ban-cong-bo-ke-hoach-tang-cuong-hop-tac-quan-su"
        / "index.html"
    )
    assert '<html lang="vi">' in page
    assert "Ngày 10/4 (giờ Washington)" in page
    assert "Tin cùng chuyên mục" not in page
    assert page.count("Thủ tướng Nhật Bản Fumio Kishida (giữa, trái)") == 1


def test_home_lists_every_article_with_links_that_resolve(demo_site):
    home = read(demo_site / "index.html")
    links = re.findall(r'href="(?:\./)?(articles/[^"]+)"', home)
    assert len(set(links)) == 5
    for link in links:
        assert (demo_site / link / "index.html").is_file()


def test_no_remote_assets(demo_site):
    for page in demo_site.rglob("*.html"):
        assert not re.search(r'(src|href)="(https?:)?//', read(page)), page


def test_binary_and_empty_dumps_do_not_stop_the_build(make_content, tmp_path):
    content = make_content(
        seeds=["004_f1c2a3039ebafd8a"],
        extra={
            "dumps/empty.txt": b"",
            "dumps/image.txt": b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 64,
            "dumps/notes.rst.bak": b"not an input",
        },
    )
    out = build_site(content, tmp_path / "out")
    report = json.loads(read(out / "report" / "report.json"))
    by_source = {e["source"]: e for e in report["entries"]}
    assert report["counts"]["total"] == 4 == len(report["entries"])
    assert by_source["dumps/empty.txt"]["status"] == "rejected"
    assert "empty" in by_source["dumps/empty.txt"]["reason"]
    assert by_source["dumps/image.txt"]["status"] == "rejected"
    assert "binary" in by_source["dumps/image.txt"]["reason"]
    assert by_source["dumps/004_f1c2a3039ebafd8a.txt"]["status"] == "published"
    assert by_source["dumps/notes.rst.bak"]["status"] == "ignored"
    assert len(list(out.glob("articles/*/index.html"))) == 1
    page = read(out / "report" / "index.html")
    assert "dumps/empty.txt" in page and "dumps/image.txt" in page


def test_dump_text_is_escaped(make_content, tmp_path):
    content = make_content(
        extra={
            "dumps/xss.txt": "Tiêu đề <script>alert(1)</script>\n\nĐoạn <b>văn</b> & <img src=x onerror=alert(1)>.\n"
        }
    )
    out = build_site(content, tmp_path / "out")
    pages = list(out.glob("articles/*/index.html"))
    assert len(pages) == 1
    html = read(pages[0])
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html
    assert "<script>alert" not in read(out / "index.html")


def test_title_clash_gets_unique_stable_slugs(make_content, tmp_path):
    body = "Tin trùng tên\n\nMột đoạn văn bản thứ {}.\n"
    content = make_content(extra={"dumps/a.txt": body.format(1), "dumps/b.txt": body.format(2)})
    out = build_site(content, tmp_path / "out")
    slugs = sorted(p.parent.name for p in out.glob("articles/*/index.html"))
    assert len(slugs) == 2 and slugs[0] == "tin-trung-ten" and slugs[1].startswith("tin-trung-ten-")


def test_report_exists_in_every_edition_with_alternates(demo_site):
    vi = read(demo_site / "report" / "index.html")
    en = read(demo_site / "en" / "report" / "index.html")
    assert '<html lang="vi">' in vi and '<html lang="en">' in en
    assert 'hreflang="en"' in vi and 'hreflang="vi"' in en
    assert 'href="../en/report/"' in vi
