"""Browser tests: Debian's Chromium driven by Playwright over the built site on 127.0.0.1.

The site is built as `make html` builds it (Pelican + Pagefind index) and served by a
http.server thread. Screenshots of every step (desktop and 375 px) go to test-artifacts/.
Accessibility is checked with axe-core (npm, injected from ./node_modules). Chromium is
Debian's (/usr/bin/chromium, installed by `make test-tools`); Playwright never downloads one.

Pages a step needs that the site does not have yet are skipped with a reason naming them;
a page that exists is always checked.
"""

from __future__ import annotations

import functools
import http.server
import json
import re
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest
from conftest import REPO

pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = REPO / "test-artifacts" / "browser"
DESKTOP = {"width": 1280, "height": 900}
MOBILE = {"width": 375, "height": 812}
KISHIDA_STEMS = ("001_855c344d2a156454", "004_f1c2a3039ebafd8a")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output clean
        pass


@pytest.fixture(scope="module")
def site_url(indexed_site):
    handler = functools.partial(_QuietHandler, directory=str(indexed_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), f"{CHROMIUM} missing: run `make test-tools` (installs Debian's chromium)"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, site_url):
    """A fresh page that records every request leaving 127.0.0.1 and every JS error."""
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.remote_requests = []
    page.js_errors = []
    host = urlparse(site_url).hostname

    def on_request(request):
        url = urlparse(request.url)
        if url.scheme in ("http", "https", "ws", "wss") and url.hostname != host:
            page.remote_requests.append(request.url)

    page.on("request", on_request)
    page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
    yield page
    assert page.remote_requests == [], f"remote requests: {page.remote_requests}"
    assert page.js_errors == [], f"JavaScript errors: {page.js_errors}"
    context.close()


def shoot(page, name: str) -> None:
    """Full-page screenshots at desktop and 375 px width; checks nothing overflows sideways."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for label, viewport in (("desktop", DESKTOP), ("375", MOBILE)):
        page.set_viewport_size(viewport)
        page.screenshot(path=str(ARTIFACTS / f"{name}-{label}.png"), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} at {label}: page is {overflow}px wider than the viewport"
    page.set_viewport_size(DESKTOP)


def stem_urls(site: Path) -> dict[str, str]:
    report = json.loads((site / "report" / "report.json").read_text())
    return {
        Path(e["source"]).stem: e["url"] for e in report["entries"] if e.get("url") and e["kind"] == "dump"
    }


def follow(page, selector: str) -> bool:
    """Click the first link matching ``selector`` inside <main>, if the page has one."""
    link = page.locator(f"main {selector}").first
    if link.count() == 0:
        return False
    link.click()
    page.wait_for_load_state("load")
    return True


def test_walk_home_article_topic_date_english_story(page, site_url, indexed_site):
    """home → article → topic → date archive → the same article in English → story → search."""
    page.goto(site_url)
    assert page.locator("main h1").count() == 1
    shoot(page, "01-home")

    # An article of the Biden–Kishida story (seed 004), reached by its card on the home page.
    article_rel = stem_urls(indexed_site)["004_f1c2a3039ebafd8a"]
    assert follow(page, f'a[href$="{article_rel}"]'), "home page does not link the article"
    article_url = page.url
    assert page.locator("article[data-pagefind-body] h1").count() == 1
    assert page.get_attribute("html", "lang") == "vi"
    # the folded copy for the search index is never shown
    assert page.locator(".search-folded").count() == 1 and page.locator(".search-folded").is_hidden()
    shoot(page, "02-article")

    assert follow(page, '.article-taxonomy a[href*="topics/"]'), "article links no topic page"
    assert "/topics/" in page.url and page.locator("main h1").count() == 1
    assert page.locator(f'main a[href$="{article_rel}"]').count() >= 1, "topic page lacks the article"
    shoot(page, "03-topic")

    page.goto(article_url)
    assert follow(page, '.article-taxonomy a[href*="dates/"]'), "article links no date page"
    assert "/dates/" in page.url and page.locator("main h1").count() == 1
    shoot(page, "04-date-archive")

    page.goto(article_url)
    english = page.locator('a[hreflang="en"]').first
    assert english.count(), "no hreflang=en link on the article page"
    english.click()
    page.wait_for_load_state("load")
    assert page.get_attribute("html", "lang") == "en"
    assert re.search(r"/en/articles/[^/]+/$", page.url), page.url
    back = page.locator('a[hreflang="vi"]').first
    assert back.count() and back.evaluate("a => a.href") == article_url, "English page does not link back"
    shoot(page, "05-article-en")

    assert follow(page, 'a.story-page[href*="stories/"]'), "English article links no story page"
    assert "/en/stories/" in page.url and page.locator("main h1").count() == 1
    assert page.locator("main .story-member").count() == 2
    shoot(page, "06-story")

    page.goto(site_url + "search/?q=Kishida")
    page.wait_for_selector(".pagefind-ui__result-link", timeout=15000)
    shoot(page, "07-search-kishida")


def result_paths(page, prefix: str) -> set[str]:
    links = page.locator(".pagefind-ui__result-link")
    return {
        urlparse(links.nth(i).get_attribute("href")).path.removeprefix(prefix) for i in range(links.count())
    }


@pytest.mark.parametrize("edition", ["", "en/"], ids=["vi", "en"])
def test_search_page_finds_kishida(page, site_url, indexed_site, edition):
    if not any((indexed_site / edition / "articles").glob("*/index.html")):
        pytest.skip(f"no article pages in the {edition or 'vi'} edition yet (nothing to index)")
    page.goto(site_url + edition + "search/")
    box = page.locator(".pagefind-ui__search-input")
    box.fill("Kishida")
    page.wait_for_selector(".pagefind-ui__result-link", timeout=15000)
    page.wait_for_timeout(300)  # let the result list settle
    found = result_paths(page, "/")
    urls = stem_urls(indexed_site)
    for stem in KISHIDA_STEMS:
        assert f"{edition}{urls[stem]}" in found, (stem, found)
    for path in found:  # results are article pages of this edition, and they exist
        assert path.startswith(f"{edition}articles/") and (indexed_site / path / "index.html").is_file()
    shoot(page, f"search-kishida-{edition.strip('/') or 'vi'}")


SEARCH_JS = """async ([bundle, q]) => {
  const pf = await import(bundle);
  const s = await pf.search(q);
  const data = await Promise.all(s.results.map(r => r.data()));
  return data.map(d => d.url).sort();
}"""


def pagefind_search(page, site_url, query: str, edition: str = "") -> list[str]:
    return page.evaluate(SEARCH_JS, [f"/{edition}pagefind/pagefind.js", query])


def test_search_folds_vietnamese_diacritics(page, site_url):
    page.goto(site_url + "search/")
    for plain, marked in (("nhat ban", "Nhật Bản"), ("hoi dam", "hội đàm"), ("doi thoai", "Đối thoại")):
        want = pagefind_search(page, site_url, marked)
        assert want, f"nothing found for {marked!r}"
        assert pagefind_search(page, site_url, plain) == want, plain


def test_search_index_holds_only_article_bodies_with_outlet_filter(page, site_url, indexed_site):
    page.goto(site_url + "search/")
    filters = page.evaluate(
        "async () => { const pf = await import('/pagefind/pagefind.js'); return await pf.filters(); }"
    )
    assert filters.get("outlet"), filters
    assert sum(filters["outlet"].values()) == len(list(indexed_site.glob("articles/*/index.html")))
    tagged = [
        p
        for p in indexed_site.glob("articles/*/index.html")
        if 'data-pagefind-filter="topic' in p.read_text()
    ]
    if tagged:  # articles carry topics: the topic filter lists them
        assert filters.get("topic"), filters
    # chrome (navigation, footer) is not indexed: its words find nothing
    for word in ("Skip", "Generated"):
        assert pagefind_search(page, site_url, word) == [], word


AXE_PAGES = {
    "home": "",
    "article": "articles/",
    "topic": "topics/",
    "search": "search/",
}


def axe_target(site: Path, edition: str, kind: str) -> str | None:
    """Site-relative URL of one page of a kind in an edition, or None if there is none."""
    base = site / edition
    if kind in ("home", "search"):
        rel = AXE_PAGES[kind]
        return f"{edition}{rel}" if (base / rel / "index.html").is_file() else None
    pages = sorted((base / AXE_PAGES[kind]).glob("*/index.html"))
    return f"{edition}{pages[0].parent.relative_to(site).as_posix()}/" if pages else None


@pytest.mark.parametrize("kind", list(AXE_PAGES))
@pytest.mark.parametrize("edition", ["", "en/"], ids=["vi", "en"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_no_serious_violations(page, site_url, indexed_site, edition, kind, scheme):
    assert AXE.is_file(), f"{AXE} missing: run `make test-tools` (npm ci)"
    rel = axe_target(indexed_site, edition, kind)
    if rel is None:
        pytest.skip(f"no {kind} page in the {edition or 'vi'} edition on this site yet")
    page.emulate_media(color_scheme=scheme)
    page.goto(site_url + rel + ("?q=Kishida" if kind == "search" else ""))
    if kind == "search" and any((indexed_site / edition / "articles").glob("*/index.html")):
        page.wait_for_selector(".pagefind-ui__result-link", timeout=15000)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert bad == [], f"{rel}: {bad}"


def test_skip_link_and_visible_focus(page, site_url):
    page.goto(site_url)
    page.keyboard.press("Tab")
    focused = page.evaluate(
        """() => { const e = document.activeElement; const r = e.getBoundingClientRect();
                   const s = getComputedStyle(e);
                   return {cls: e.className, href: e.getAttribute('href'), x: r.left, y: r.top,
                           w: r.width, outline: s.outlineStyle, ow: parseFloat(s.outlineWidth)}; }"""
    )
    assert focused["cls"] == "skip-link" and focused["href"] == "#main"
    assert focused["x"] >= 0 and focused["y"] >= 0 and focused["w"] > 0, (
        "skip link not on screen when focused"
    )
    assert focused["outline"] != "none" and focused["ow"] >= 2, "no visible focus ring"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


def test_dark_scheme_and_narrow_screens(page, site_url, indexed_site):
    article = axe_target(indexed_site, "", "article")
    for scheme, dark in (("light", False), ("dark", True)):
        page.emulate_media(color_scheme=scheme)
        page.goto(site_url + article)
        bg = page.evaluate("getComputedStyle(document.body).backgroundColor")
        r, g, b = (int(x) for x in re.findall(r"\d+", bg)[:3])
        assert (r + g + b < 150) == dark, f"{scheme}: body background {bg}"
        shoot(page, f"article-{scheme}")
    page.emulate_media(color_scheme="light")
    page.set_viewport_size({"width": 360, "height": 740})
    for rel in ("", article, "search/", "report/"):
        page.goto(site_url + rel)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{rel or 'home'} overflows 360px by {overflow}px"


CLS_JS = """() => new Promise(resolve => {
  let total = 0;
  new PerformanceObserver(list => { for (const e of list.getEntries()) if (!e.hadRecentInput) total += e.value; })
    .observe({type: 'layout-shift', buffered: true});
  setTimeout(() => resolve(total), 1500);
})"""


def test_no_layout_shift(page, site_url, indexed_site):
    for rel in ("", axe_target(indexed_site, "", "article"), "search/?q=Kishida"):
        page.goto(site_url + rel)
        cls = page.evaluate(CLS_JS)
        assert cls < 0.1, f"{rel or 'home'}: cumulative layout shift {cls:.3f}"


def test_search_page_without_javascript_says_how_to_browse(browser, site_url, indexed_site):
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(site_url + "search/")
        assert page.locator("noscript, .notice").first.is_visible()
        links = page.locator(".search-browse a")
        assert links.count() >= 2
        for i in range(links.count()):
            target = urlparse(links.nth(i).evaluate("a => a.href")).path.lstrip("/")
            assert (indexed_site / target / "index.html").is_file(), target
        shoot(page, "search-no-js")
    finally:
        context.close()
