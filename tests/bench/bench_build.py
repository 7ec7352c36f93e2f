"""Build benchmark: news-digest vs stock Pelican on the same articles, incremental, RSS, stories.

    .venv/bin/python tests/bench/bench_build.py --n 10000

Everything is measured in this one run on this machine and printed as ratios:

1. a corpus of N dumps (``news-digest generate-corpus``, fixed seed);
2. the same articles written as plain Markdown (title, date, slug, summary, lang, body
   paragraphs; an English translation file for every article when our site writes English
   article pages; filler pages so both sites write the same number of HTML pages), built by
   stock Pelican with its default theme and the same pagination;
3. our full build from cold caches (pipeline cache and Pelican content cache empty);
4. an incremental rebuild after one dump changes (both caches warm), right after the full
   build it is compared with (ratios are printed per round as well as best against best),
   for two kinds of edit: a sentence appended at a dump's end, and a clause put in front
   of another dump's first paragraph (which changes the text stories are grouped on, so
   every story is regrouped);
5. peak memory: the largest process (``wait4`` ru_maxrss) and the whole process tree
   (pool and render workers included, PSS summed, sampled with psutil: forked render
   workers share most of their pages with the build, and RSS would count them twice);
6. grouping stories for N articles, when ``news_digest.stories.group_stories`` exists.

Every build is a fresh ``pelican`` process, so imports and start-up count for both sides.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(REPO / "plugins"))

from news_digest import build_phases_path  # noqa: E402
from news_digest.cache import PipelineCache, cache_key  # noqa: E402
from news_digest.corpus import generate_corpus, load_material  # noqa: E402
from news_digest.parallel import find_dumps, prefill  # noqa: E402
from news_digest.rules import load_rules  # noqa: E402

SHARED = Path(os.environ.get("NEWS_DIGEST_SHARED", REPO.parent / "shared"))


def _tree_memory(root) -> int:
    """Memory of a process and its descendants: the sum of their PSS (proportional set
    size), so pages that forked render workers share with the build are counted once,
    split between them; RSS where PSS cannot be read."""
    import psutil

    total = 0
    for proc in [root, *root.children(recursive=True)]:
        try:
            info = proc.memory_full_info()
            total += getattr(info, "pss", info.rss)
        except psutil.Error:
            pass
    return total


def run_measured(cmd: list[str], cwd: Path, env: dict | None = None) -> dict:
    """Run ``cmd`` (in ``env``, default this process's); wall seconds, ru_maxrss (its
    largest process), sampled peak memory of its process tree (PSS summed)."""
    import psutil

    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        try:
            root = psutil.Process(proc.pid)
        except psutil.Error:
            return
        while not done.is_set():
            try:
                peak = max(peak, _tree_memory(root))
            except psutil.Error:
                pass
            # Reading PSS walks the page tables (smaps_rollup) under the process's memory
            # lock: sampled often, it slows the build it measures.
            done.wait(0.25)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        sys.stderr.write(out.decode(errors="replace")[-4000:])
        raise SystemExit(f"failed: {' '.join(cmd)}")
    return {
        "seconds": seconds,
        "cpu": usage.ru_utime + usage.ru_stime,  # includes the pool workers it waited for
        "maxrss_mb": usage.ru_maxrss / 1024,
        "tree_peak_mb": peak / 2**20,
    }


def build_phases(cache_dir: Path, output: Path) -> list:
    """The phases the last build into ``output`` logged (news_digest.report_phases):
    [(name, seconds)], empty when it logged none."""
    path = build_phases_path(cache_dir, output)
    return json.loads(path.read_text(encoding="utf-8"))["phases"] if path.is_file() else []


def phases_line(label: str, run: dict) -> str:
    phases = run.get("phases") or []
    return f"phases of {label}: " + (
        ", ".join(f"{name} {sec:.2f} s" for name, sec in phases) or "none logged"
    )


def best(runs: list[dict]) -> dict:
    """Minimum of each figure over repeats (the least disturbed run); max for memory."""
    return {
        "seconds": min(r["seconds"] for r in runs),
        "cpu": min(r["cpu"] for r in runs),
        "maxrss_mb": max(r["maxrss_mb"] for r in runs),
        "tree_peak_mb": max(r["tree_peak_mb"] for r in runs),
        "all": [round(r["seconds"], 2) for r in runs],
        "phases": min(runs, key=lambda r: r["seconds"]).get("phases", []),  # of the fastest run
    }


def count_pages(output: Path) -> int:
    return sum(1 for _ in output.rglob("*.html"))


def markdown_article(digest, lang: str, title: str, paragraphs: list[str]) -> str:
    date = digest.meta.date.value or "1970-01-01"
    summary = " ".join(paragraphs[:1])[:200].replace("\n", " ")
    head = [
        f"Title: {title}",
        f"Date: {date}",
        f"Slug: {digest.slug}",
        f"Lang: {lang}",
        "Category: news",
        f"Summary: {summary}",
    ]
    if digest.meta.byline:
        head.append(f"Author: {digest.meta.byline}")
    return "\n".join(head) + "\n\n" + "\n\n".join(paragraphs) + "\n"


def write_markdown_site(digests: list, root: Path, english: bool, filler: int) -> None:
    """The same articles as plain Markdown, for stock Pelican."""
    from news_digest.slugs import assign_unique_slugs

    content = root / "content"
    shutil.rmtree(root, ignore_errors=True)
    (content / "articles").mkdir(parents=True)
    (content / "pages").mkdir(parents=True)
    unique = assign_unique_slugs([(d.source, d.slug) for d in digests])
    for i, d in enumerate(digests):
        d.slug = unique[d.source]
        paras = [ln.text for ln in d.body_lines]
        (content / "articles" / f"{i:05d}.md").write_text(
            markdown_article(d, "vi", d.meta.display_title, paras), encoding="utf-8"
        )
        if english:
            (content / "articles" / f"{i:05d}.en.md").write_text(
                markdown_article(d, "en", d.meta.display_title, paras), encoding="utf-8"
            )
    for j in range(filler):
        (content / "pages" / f"p{j:05d}.md").write_text(
            f"Title: Page {j}\nSlug: page-{j}\n\nFiller page {j}.\n", encoding="utf-8"
        )
    (root / "stockconf.py").write_text(
        "\n".join(
            [
                "SITENAME = 'stock'",
                "PATH = 'content'",
                "ARTICLE_PATHS = ['articles']",
                "PAGE_PATHS = ['pages']",
                "TIMEZONE = 'Asia/Ho_Chi_Minh'",
                "DEFAULT_LANG = 'vi'",
                "DEFAULT_PAGINATION = 20",
                "RELATIVE_URLS = True",
                "ARTICLE_URL = 'articles/{slug}/'",
                "ARTICLE_SAVE_AS = 'articles/{slug}/index.html'",
                "ARTICLE_LANG_URL = '{lang}/articles/{slug}/'",
                "ARTICLE_LANG_SAVE_AS = '{lang}/articles/{slug}/index.html'",
                "PAGE_SAVE_AS = 'pages/{slug}/index.html'",
                "DIRECT_TEMPLATES = ['index', 'archives']",
                # The filler pages have no translations; Pelican's default 'slug' grouping
                # would only cost time on them.
                "PAGE_TRANSLATION_ID = ''",
                # The default theme lists every page in every page's menu: with thousands
                # of filler pages that is O(N²) output our site does not have either.
                "DISPLAY_PAGES_ON_MENU = False",
                "TAGS_SAVE_AS = TAG_SAVE_AS = ''",
                "CATEGORIES_SAVE_AS = CATEGORY_SAVE_AS = ''",
                "AUTHORS_SAVE_AS = AUTHOR_SAVE_AS = ''",
                "FEED_ALL_ATOM = None",
                "CATEGORY_FEED_ATOM = None",
                "TRANSLATION_FEED_ATOM = None",
                "AUTHOR_FEED_ATOM = None",
                "AUTHOR_FEED_RSS = None",
                "",
            ]
        ),
        encoding="utf-8",
    )


def pelican_cmd(content: Path, conf: Path, output: Path, extra: dict) -> list[str]:
    cmd = [str(BIN / "pelican"), str(content), "-s", str(conf), "-o", str(output), "-q"]
    if extra:
        # One -e with every pair: Pelican keeps only the last -e given (each replaces the
        # overrides), which silently dropped CACHE_PATH here until 2026-11-29.
        cmd += ["-e", *(f"{key}={json.dumps(value)}" for key, value in extra.items())]
    return cmd


def stories_seconds(digests: list, processes: int) -> str:
    from news_digest.stories import group_stories, story_inputs_from_articles

    inputs = story_inputs_from_articles(digests)
    start = time.perf_counter()
    stories = group_stories(inputs)
    seconds = time.perf_counter() - start
    line = f"stories: grouped {len(digests)} articles into {len(list(stories))} stories in {seconds:.2f} s"
    if processes > 1:
        start = time.perf_counter()
        split = group_stories(inputs, processes=processes)
        split_seconds = time.perf_counter() - start
        same = "identical" if split == stories else "DIFFERENT (a bug)"
        line += f"; on {processes} processes (as in a build) {split_seconds:.2f} s, {same} stories"
    return line


def default_workdir() -> Path:
    # tmpfs when there is one: disk latency on a shared machine is noise for both sides.
    shm = Path("/dev/shm")
    return shm / "news-digest-bench" if shm.is_dir() else REPO / "build" / "bench"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=int(os.environ.get("BENCH_N", 1000)))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=int(os.environ.get("BENCH_REPEAT", 1)))
    parser.add_argument("--workdir", default=str(default_workdir()))
    parser.add_argument("--workers", type=int, default=None, help="NEWS_DIGEST_WORKERS")
    parser.add_argument(
        "--pelican-cache",
        choices=("settings", "on", "off"),
        default="settings",
        help="Pelican CACHE_CONTENT/LOAD_CONTENT_CACHE: as pelicanconf.py says, or forced",
    )
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args(argv)

    work = Path(args.workdir) / f"n{args.n}"
    shutil.rmtree(work, ignore_errors=True)
    content = work / "content"
    t0 = time.perf_counter()
    generate_corpus(load_material(SHARED / "seeds", SHARED / "gold"), args.n, content / "dumps", args.seed)
    print(f"corpus: {args.n} dumps (seed {args.seed}) in {time.perf_counter() - t0:.1f} s under {content}")

    # Stock Pelican has no search: both sides are timed without it, and the Pagefind
    # index of our output is timed on its own below.
    ours_extra: dict = {"CACHE_PATH": str(work / "cache"), "NEWS_DIGEST_SEARCH_INDEX": False}
    if args.pelican_cache != "settings":
        on = args.pelican_cache == "on"
        ours_extra.update(CACHE_CONTENT=on, LOAD_CONTENT_CACHE=on)
    if args.workers:
        ours_extra["NEWS_DIGEST_WORKERS"] = args.workers
    conf = REPO / "pelicanconf.py"
    ours_cmd = pelican_cmd(content, conf, work / "out", ours_extra)

    def ours_run() -> dict:
        """Our build as it stands, measured, with the phases it logged."""
        result = run_measured(ours_cmd, REPO)
        result["phases"] = build_phases(work / "cache" / "news-digest", work / "out")
        return result

    def ours_cold() -> dict:
        """Ours, cold: no pipeline cache, no Pelican content cache, empty output directory."""
        shutil.rmtree(work / "cache", ignore_errors=True)
        shutil.rmtree(work / "out", ignore_errors=True)
        result = ours_run()
        # The build must have used the cache directory this bench empties: otherwise the
        # "cold" builds after the first would find every dump processed.
        cached = sum(1 for _ in (work / "cache" / "news-digest").glob("*/*.pickle"))
        if cached < args.n // 2:
            raise SystemExit(
                f"the build did not fill {work / 'cache'} ({cached} entries): settings not applied"
            )
        return result

    # Incremental: one dump changes (a sentence appended to its body), caches warm.
    def ours_incremental(r: int) -> dict:
        victim = jobs[(len(jobs) // 2 + r) % len(jobs)]
        with open(victim.path, "a", encoding="utf-8") as fh:
            fh.write(f"\nBộ Ngoại giao cho biết sẽ tiếp tục theo dõi sát tình hình (lần {r + 1}).")
        return ours_run()

    # Incremental, the other kind of edit: one dump's first paragraph changes (a clause put
    # in front of its first long line). That changes the text its stories are grouped on,
    # and grouping is global: the build regroups every story. A sentence appended at the
    # end (above) leaves a long dump's story text as it was.
    def ours_edited(r: int) -> dict:
        victim = Path(jobs[(len(jobs) // 3 + r) % len(jobs)].path)
        lines = victim.read_text(encoding="utf-8").split("\n")
        first = next((i for i, line in enumerate(lines) if len(line) >= 200), len(lines) - 1)
        lines[first] = f"Theo ghi nhận lần {r + 1} của phóng viên, " + lines[first]
        victim.write_text("\n".join(lines), encoding="utf-8")
        return ours_run()

    jobs = find_dumps(content)
    fulls = [ours_cold()]
    incrs = [ours_incremental(0)]
    edits = [ours_edited(0)]
    pages = count_pages(work / "out")
    search = run_measured([str(BIN / "python"), "-m", "news_digest.search", str(work / "out")], REPO)
    english = any((work / "out" / "en" / "articles").glob("*/index.html"))

    # The same articles as Markdown (read from the pipeline cache the build just filled).
    rules = load_rules()
    cache = PipelineCache(work / "cache" / "news-digest")
    prefill(jobs, cache)  # no-op when everything is cached
    digests = []
    for job in jobs:
        result = cache.get(cache_key(Path(job.path).read_bytes(), job.source, rules.version))
        if hasattr(result, "meta"):
            digests.append(result)
    stock_root = work / "stock"
    write_markdown_site(digests, stock_root, english, 0)
    stock_cmd = pelican_cmd(stock_root / "content", stock_root / "stockconf.py", stock_root / "out", {})
    run_measured(stock_cmd, REPO)
    filler = max(0, pages - count_pages(stock_root / "out"))
    write_markdown_site(digests, stock_root, english, filler)
    # Each round runs ours cold, ours incremental (on the caches that cold build left) and
    # stock Pelican, one after the other, and the ratios are taken within a round: this
    # machine's speed drifts by tens of percent within minutes, and a ratio of two runs far
    # apart in time (say the fastest full build against the fastest incremental one) would
    # measure the drift.
    stocks = []
    for r in range(args.repeat):
        if r:
            fulls.append(ours_cold())
            incrs.append(ours_incremental(r))
            edits.append(ours_edited(r))
        shutil.rmtree(stock_root / "out", ignore_errors=True)
        stocks.append(run_measured(stock_cmd, REPO))
    full, stock, incr = best(fulls), best(stocks), best(incrs)
    pair_ratios = [f["seconds"] / s["seconds"] for f, s in zip(fulls, stocks, strict=True)]
    incr_ratios = [i["seconds"] / f["seconds"] for i, f in zip(incrs, fulls, strict=True)]
    edit, edit_ratios = best(edits), [e["seconds"] / f["seconds"] for e, f in zip(edits, fulls, strict=True)]
    stock_pages = count_pages(stock_root / "out")
    warm = ours_run()

    print(f"pages written: ours {pages}, stock Pelican {stock_pages} (Markdown, same articles)")
    print(f"full build ours:  {full['seconds']:.2f} s wall, {full['cpu']:.2f} s CPU  runs {full['all']}")
    print(f"full build stock: {stock['seconds']:.2f} s wall, {stock['cpu']:.2f} s CPU  runs {stock['all']}")
    print(
        f"RATIO full build ours/stock: {full['seconds'] / stock['seconds']:.2f}x wall, "
        f"{full['cpu'] / stock['cpu']:.2f}x CPU (target <= 1.3x); per adjacent pair: "
        f"median {statistics.median(pair_ratios):.2f}x, runs {[round(r, 2) for r in pair_ratios]}"
    )
    print(
        f"incremental (1 dump changed): {incr['seconds']:.2f} s wall, {incr['cpu']:.2f} s CPU  "
        f"runs {incr['all']}; nothing changed: {warm['seconds']:.2f} s"
    )
    print(
        f"RATIO incremental/full: {100 * incr['seconds'] / full['seconds']:.1f} % wall (best/best), "
        f"{100 * incr['cpu'] / full['cpu']:.1f} % CPU (target <= 15 %); within each round: median "
        f"{100 * statistics.median(incr_ratios):.1f} %, runs {[round(100 * r, 1) for r in incr_ratios]}"
    )
    print(
        f"incremental (1 dump's first paragraph edited: every story regrouped): "
        f"{edit['seconds']:.2f} s wall, {edit['cpu']:.2f} s CPU  runs {edit['all']}"
    )
    print(
        f"RATIO edited/full: {100 * edit['seconds'] / full['seconds']:.1f} % wall (best/best), "
        f"{100 * edit['cpu'] / full['cpu']:.1f} % CPU (target <= 15 %); within each round: median "
        f"{100 * statistics.median(edit_ratios):.1f} %, runs {[round(100 * r, 1) for r in edit_ratios]}"
    )
    # Where each kind of build spends its time (the plugin logs its phases; wall seconds).
    print(phases_line("the full build (best)", full))
    print(phases_line("the incremental build (best)", incr))
    print(phases_line("the edited build (best)", edit))
    print(phases_line("the build with nothing changed", warm))
    print(
        f"peak memory full build: largest process RSS {full['maxrss_mb']:.0f} MB, process tree "
        f"{full['tree_peak_mb']:.0f} MB PSS (target <= 1536 MB); stock {stock['maxrss_mb']:.0f} MB RSS"
    )
    print(
        f"search index (Pagefind, both editions, run after a build that changed article "
        f"pages): {search['seconds']:.2f} s wall, peak RSS {search['tree_peak_mb']:.0f} MB"
    )
    print(stories_seconds(digests, args.workers or os.cpu_count() or 1))
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
