"""Corpus generator, pipeline cache, process pool and Dask engine: same results, fewer runs."""

from __future__ import annotations

import json
import pickle
import shutil
from pathlib import Path

import pytest
from conftest import DUMPS, GOLD, REPO, SEED_STEMS, SEEDS, build_site, site_settings
from news_digest.cache import PipelineCache, Rejection, cache_key, cached_process, code_version
from news_digest.corpus import DumpMaker, generate_corpus, load_material
from news_digest.model import DigestArticle, DumpRejected, to_jsonable
from news_digest.parallel import find_dumps, prefill
from news_digest.pipeline import process_dump


@pytest.fixture(scope="module")
def material():
    return load_material(SEEDS, GOLD)


@pytest.fixture(scope="module")
def corpus(material, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("corpus")
    generate_corpus(material, 60, out / "dumps", seed=3)
    return out


def snapshot(cache: PipelineCache, jobs, rules) -> dict:
    """source → JSON of the cached result, read straight from the cache files."""
    out = {}
    for job in jobs:
        data = Path(job.path).read_bytes()
        result = cache.get(cache_key(data, job.source, rules.version))
        assert result is not None, job.source
        out[job.source] = to_jsonable(result)
    return out


# -- corpus -------------------------------------------------------------------------------
def test_corpus_is_deterministic_per_seed(material, tmp_path):
    a = generate_corpus(material, 25, tmp_path / "a", seed=11)
    b = generate_corpus(material, 25, tmp_path / "b", seed=11)
    c = generate_corpus(material, 25, tmp_path / "c", seed=12)
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]
    assert [p.read_bytes() for p in a] != [p.read_bytes() for p in c]
    assert [p.name for p in a] == [p.name for p in b]


def test_corpus_material_comes_from_gold_body_lines(material, gold):
    body = " ".join(ln["text"] for g in gold.values() for ln in g["lines"] if ln["label"] == "body")
    assert len(material.sentences) >= 30
    # every sentence is a piece of a gold body line (outlet prefix / leading date removed)
    for sentence in material.sentences:
        assert sentence[1:40] in body, sentence


def test_corpus_has_varied_outlets_dates_noise_and_missing_headlines(material, rules):
    maker = DumpMaker(material, seed=5)
    dumps = [maker.dump() for _ in range(200)]
    styles = {style for style, _ in dumps}
    assert styles == {"baoquocte", "vtv", "vov", "vietnamplus", "table"}
    texts = [t for _, t in dumps]
    assert sum(t.startswith("Date: ") for t in texts) > 10
    for marker in (
        "Tin liên quan",
        "Tin cùng chuyên mục",
        "Đọc thêm",
        "| |",
        "Theo vtv.vn",
        "(TTXVN/Vietnam+)",
        "Mời quý độc giả theo dõi VOV.VN trên",
        "Theo dõi Baoquocte.vn trên",
        "VOV.VN - ",
    ):
        assert any(marker in t for t in texts), marker
    years = {int(t.split("\n")[0][6:10]) for t in texts if t.startswith("Date: ")}
    assert max(years) - min(years) >= 5
    articles = [process_dump(t.encode(), f"c{i}.txt", rules) for i, t in enumerate(texts)]
    outlets = {a.meta.outlet.id for a in articles}
    assert {"vov", "vtv", "vietnamplus", "baoquocte"} <= outlets
    assert sum(a.meta.title_source != "dump" for a in articles) >= 10  # no headline
    assert all(any(ln.label.value == "boilerplate" for ln in a.lines) for a in articles)


def test_generate_corpus_cli(tmp_path):
    from news_digest.cli import main

    assert main(["generate-corpus", "12", str(tmp_path / "out"), "--seed", "2"]) == 0
    assert len(list((tmp_path / "out").rglob("*.txt"))) == 12


# -- cache --------------------------------------------------------------------------------
def test_cache_hit_returns_equal_article_and_key_tracks_inputs(rules, tmp_path):
    cache = PipelineCache(tmp_path / "cache")
    data = (DUMPS / "004_f1c2a3039ebafd8a.txt").read_bytes()
    first = cached_process(cache, data, "dumps/a.txt", rules)
    assert (cache.hits, cache.misses) == (0, 1)
    second = cached_process(cache, data, "dumps/a.txt", rules)
    assert (cache.hits, cache.misses) == (1, 1)
    assert to_jsonable(first) == to_jsonable(second) == to_jsonable(process_dump(data, "dumps/a.txt", rules))
    base = cache_key(data, "dumps/a.txt", rules.version)
    assert cache_key(data + b"\n.", "dumps/a.txt", rules.version) != base
    assert cache_key(data, "dumps/b.txt", rules.version) != base
    assert cache_key(data, "dumps/a.txt", "other-data-version") != base
    assert cache_key(data, "dumps/a.txt", rules.version, {"title": "X"}) != base
    assert len(code_version()) == 16


def test_cache_stores_rejections_and_survives_corrupt_entries(rules, tmp_path):
    cache = PipelineCache(tmp_path / "cache")
    data = b"Tin li\xc3\xaan quan\n"
    with pytest.raises(DumpRejected) as first:
        cached_process(cache, data, "x.txt", rules)
    key = cache_key(data, "x.txt", rules.version)
    assert isinstance(cache.get(key), Rejection)
    with pytest.raises(DumpRejected) as again:
        cached_process(cache, data, "x.txt", rules)
    assert again.value.reason == first.value.reason
    cache.path_for(key).write_bytes(b"not a pickle")
    assert cache.get(key) is None
    cache.path_for(key).write_bytes(pickle.dumps({"foreign": 1}))
    assert cache.get(key) is None


# -- process pool -------------------------------------------------------------------------
def test_pool_results_identical_to_serial_path(corpus, rules, tmp_path):
    content = tmp_path / "content"
    shutil.copytree(corpus, content)
    (content / "dumps" / "rejected.txt").write_bytes(b"")
    jobs = find_dumps(content)
    assert len(jobs) == 61
    serial, pooled = PipelineCache(tmp_path / "serial"), PipelineCache(tmp_path / "pooled")
    s = prefill(jobs, serial, workers=1)
    p = prefill(jobs, pooled, workers=2, batch_size=7, min_parallel=2)
    assert s.computed == p.computed == 61 and s.rejected == p.rejected >= 1
    snap = snapshot(pooled, jobs, rules)
    assert snap == snapshot(serial, jobs, rules)
    # and both equal running the pure pipeline directly
    for job in jobs:
        try:
            direct = to_jsonable(process_dump(Path(job.path).read_bytes(), job.source, rules))
        except DumpRejected as exc:
            direct = {"reason": exc.reason, "line": exc.line}
        assert snap[job.source] == direct
    again = prefill(jobs, pooled, workers=2)
    assert (again.cached, again.computed) == (61, 0)


def test_find_dumps_follows_article_paths_and_excludes(tmp_path):
    for rel in ("dumps/a.txt", "translations/a.en.md", "pages/p.txt", "x/b.txt", "x/.#c.txt"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x")
    jobs = find_dumps(tmp_path, [""], ["translations", "pages"])
    assert [j.source for j in jobs] == ["dumps/a.txt", "x/b.txt"]


# -- Pelican: cached and parallel builds --------------------------------------------------
def _report(output: Path) -> dict:
    return json.loads((output / "report" / "report.json").read_text(encoding="utf-8"))


def test_cached_rebuild_reports_every_file_identically(make_content, tmp_path):
    content = make_content(
        seeds=[p.stem for p in DUMPS.glob("*.txt")],
        extra={
            "dumps/empty.txt": b"",
            "dumps/clash.txt": (DUMPS / "002_1d216cd8c5788951.txt").read_bytes() + b"\n\nMot dong.",
            "notes/readme.csv": "not,a,dump",
        },
    )
    opts = {
        "CACHE_CONTENT": True,
        "LOAD_CONTENT_CACHE": True,
        "CACHE_PATH": str(tmp_path / "cache"),
        "NEWS_DIGEST_WORKERS": 2,
    }
    first = _report(build_site(content, tmp_path / "out1", **opts))
    assert (tmp_path / "cache" / "news-digest").is_dir()
    second = _report(build_site(content, tmp_path / "out2", **opts))
    assert first["counts"]["rejected"] == 1 and first["counts"]["published-with-warnings"] >= 1
    assert second["counts"] == first["counts"]

    def strip_urls(report):
        return [{k: v for k, v in e.items() if k != "url"} for e in report["entries"]]

    assert strip_urls(second) == strip_urls(first)
    # serial, uncached build: the same report
    serial = _report(build_site(content, tmp_path / "out3", NEWS_DIGEST_WORKERS=1, NEWS_DIGEST_CACHE_DIR=""))
    assert strip_urls(serial) == strip_urls(first)
    pages = sorted(p.relative_to(tmp_path / "out1") for p in (tmp_path / "out1").rglob("*.html"))
    assert pages == sorted(p.relative_to(tmp_path / "out2") for p in (tmp_path / "out2").rglob("*.html"))


def test_changed_dump_is_reprocessed_not_served_stale(make_content, tmp_path):
    content = make_content(seeds=["004_f1c2a3039ebafd8a"])
    opts = {"CACHE_CONTENT": True, "LOAD_CONTENT_CACHE": True, "CACHE_PATH": str(tmp_path / "cache")}
    build_site(content, tmp_path / "out1", **opts)
    dump = content / "dumps" / "004_f1c2a3039ebafd8a.txt"
    dump.write_bytes(b"Date: 2024-04-10\n\n" + dump.read_bytes().replace(b"NASA", b"JAXA"))
    out = build_site(content, tmp_path / "out2", **opts)
    page = next(out.glob("articles/*/index.html")).read_text(encoding="utf-8")
    assert "JAXA" in page and "NASA" not in page


# -- Dask ---------------------------------------------------------------------------------
@pytest.mark.slow
def test_dask_engine_writes_the_same_cache_as_the_local_path(corpus, rules, tmp_path):
    distributed = pytest.importorskip("distributed")
    from news_digest.dask_engine import process_with_dask

    jobs = find_dumps(corpus)
    local, dask_cache = PipelineCache(tmp_path / "local"), PipelineCache(tmp_path / "dask")
    prefill(jobs, local, workers=2)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        stats = process_with_dask(jobs, dask_cache, client=client, batch_size=5)
    assert stats.computed == len(jobs) and not stats.errors
    assert snapshot(dask_cache, jobs, rules) == snapshot(local, jobs, rules)
    assert sorted(p.name for p in (tmp_path / "dask").rglob("*.pickle")) == sorted(
        p.name for p in (tmp_path / "local").rglob("*.pickle")
    )


def test_process_cli_local_engine_fills_cache_the_build_reads(corpus, tmp_path, capsys):
    from news_digest.cli import main

    content = tmp_path / "content"
    shutil.copytree(corpus, content)
    cache_dir = tmp_path / "cache" / "news-digest"
    assert main(["process", str(content), "--cache-dir", str(cache_dir), "--workers", "2"]) == 0
    assert "60 processed" in capsys.readouterr().out
    entries = len(list(cache_dir.glob("*/*.pickle")))
    assert entries == 60
    build_site(content, tmp_path / "out", CACHE_PATH=str(tmp_path / "cache"), NEWS_DIGEST_WORKERS=1)
    assert len(list(cache_dir.glob("*/*.pickle"))) == entries  # every read was a hit
    assert isinstance(pickle.loads(next(cache_dir.glob("*/*.pickle")).read_bytes()), DigestArticle)


def _mtimes(output: Path, pattern: str = "articles/*/index.html") -> dict:
    return {p.relative_to(output).as_posix(): p.stat().st_mtime_ns for p in output.glob(pattern)}


@pytest.mark.parametrize("workers", [1, 2])  # 2: pages are queued and fingerprinted at the flush
def test_unchanged_pages_are_not_rerendered(make_content, tmp_path, workers):
    seeds = [p.stem for p in DUMPS.glob("*.txt")]
    content = make_content(seeds=seeds)
    opts = {"CACHE_PATH": str(tmp_path / "cache"), "NEWS_DIGEST_WORKERS": workers}
    out = build_site(content, tmp_path / "out", **opts)
    first = _mtimes(out, "**/*.html")
    assert len(_mtimes(out)) == 5
    dump = content / "dumps" / "004_f1c2a3039ebafd8a.txt"
    # A change in the body only (no new topic, entity, date or title): its two article
    # pages and its story pages show the text; no other page does.
    dump.write_bytes(dump.read_bytes().replace("khoảng 2 giờ".encode(), "khoảng 3 giờ".encode()))
    build_site(content, out, **opts)
    second = _mtimes(out, "**/*.html")
    changed = {k for k in first if first[k] != second[k]}
    page = "articles/lanh-dao-my-va-nhat-ban-cong-bo-ke-hoach-tang-cuong-hop-tac-quan-su/index.html"
    assert page in changed and f"en/{page}" in changed
    assert "khoảng 3 giờ" in (out / page).read_text(encoding="utf-8")
    assert {k for k in changed if "articles/" in k} == {page, f"en/{page}"}
    assert "dates/2023/06/index.html" not in changed and "dates/index.html" not in changed
    assert "entities/index.html" not in changed and "en/topics/index.html" not in changed
    assert "topics/index.html" not in changed and "en/dates/2016/index.html" not in changed
    # A title change shows on every page that lists the article (home, its date pages) and
    # on no page that does not list it (other articles' pages, other dates).
    dump = content / "dumps" / "002_1d216cd8c5788951.txt"
    dump.write_bytes(
        dump.read_bytes().replace(
            b"\xc4\x90\xe1\xbb\x91i tho\xe1\xba\xa1i", b"H\xe1\xbb\x99i \xc4\x91\xc3\xa0m", 1
        )
    )
    build_site(content, out, **opts)
    third = _mtimes(out, "**/*.html")
    renamed = "articles/my-va-nhat-ban-to-chuc-doi-thoai-ran-de-mo-rong/index.html"  # old slug, stale
    assert "articles/my-va-nhat-ban-to-chuc-hoi-dam-ran-de-mo-rong/index.html" in third
    rerendered = {k for k in second if k in third and third[k] != second[k]}
    assert {
        "index.html",
        "en/index.html",
        "dates/2023/06/index.html",
        "en/dates/2023/index.html",
    } <= rerendered
    assert not {k for k in rerendered if k.startswith(("articles/", "en/articles/")) and k != renamed}
    assert "dates/2024/04/index.html" not in rerendered and "dates/2016/index.html" not in rerendered
    for listing in ("index.html", "dates/2023/06/index.html"):
        assert "Hội đàm răn đe" in (out / listing).read_text(encoding="utf-8")
    # a page deleted from output/ is written again even though nothing changed
    victim = out / page
    victim.unlink()
    build_site(content, out, **opts)
    assert victim.is_file()


def test_skip_unchanged_can_be_switched_off(make_content, tmp_path):
    content = make_content(seeds=["004_f1c2a3039ebafd8a"])
    opts = {"CACHE_PATH": str(tmp_path / "cache"), "NEWS_DIGEST_SKIP_UNCHANGED": False}
    out = build_site(content, tmp_path / "out", **opts)
    first = _mtimes(out)
    build_site(content, out, **opts)
    assert all(first[k] != v for k, v in _mtimes(out).items())


def test_a_changed_list_or_dict_setting_rerenders_every_page(make_content, tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("conf", REPO / "pelicanconf.py")
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    content = make_content(seeds=["004_f1c2a3039ebafd8a"])
    opts = {"CACHE_PATH": str(tmp_path / "cache"), "NEWS_DIGEST_WORKERS": 1}
    out = build_site(content, tmp_path / "out", **opts)
    first = _mtimes(out, "**/*.html")
    # keep_trailing_newline changes every page's bytes but is no template variable
    jinja = {**conf.JINJA_ENVIRONMENT, "keep_trailing_newline": True}
    build_site(content, out, JINJA_ENVIRONMENT=jinja, **opts)
    second = _mtimes(out, "**/*.html")
    assert first.keys() == second.keys()
    assert [k for k in first if first[k] == second[k]] == []


# -- parallel rendering -------------------------------------------------------------------
def _tree(output: Path) -> dict:
    """Every output file's bytes, except the build report and feeds (the report and an
    empty feed state the build time; feeds are not written through the writer)."""
    return {
        p.relative_to(output).as_posix(): p.read_bytes()
        for p in sorted(output.rglob("*"))
        if p.is_file() and not {"report", "feeds"} & set(p.relative_to(output).parts)
    }


def _record_writer_forks(monkeypatch) -> list[str]:
    """Make ``os.fork`` record, in the parent, which writer method forked (the render
    workers and describers, not the pipeline pool; writer.py forks through forks.py)."""
    import os
    import sys

    forked: list[str] = []
    real_fork = os.fork

    def recording_fork():
        frame = sys._getframe(1)
        if frame.f_code.co_name == "fork_with_result_file":
            frame = frame.f_back
        pid = real_fork()
        if pid:
            forked.append(frame.f_code.co_name)
        return pid

    monkeypatch.setattr(os, "fork", recording_fork)
    return forked


def test_pages_rendered_in_worker_processes_equal_the_serial_build(corpus, tmp_path, monkeypatch):
    import os

    import news_digest.writer as writer_mod
    from pelican import signals

    monkeypatch.setattr(writer_mod, "MIN_PAGES_PER_WORKER", 10)
    fork_callers = _record_writer_forks(monkeypatch)
    content = tmp_path / "content"
    shutil.copytree(corpus, content)
    written: list[str] = []

    def on_written(path, context):
        written.append(os.path.relpath(path, tmp_path).split(os.sep, 1)[1])

    signals.content_written.connect(on_written)
    try:
        serial = build_site(
            content, tmp_path / "serial", CACHE_PATH=str(tmp_path / "c1"), NEWS_DIGEST_WORKERS=1
        )
        serial_signals = sorted(written)
        written.clear()
        opts = {"CACHE_PATH": str(tmp_path / "c2"), "NEWS_DIGEST_WORKERS": 3}
        forked = build_site(content, tmp_path / "forked", **opts)
        forked_signals = sorted(written)
        written.clear()
        # the manifest of a parallel build is complete: a second build renders nothing
        before = {p: p.stat().st_mtime_ns for p in forked.rglob("*.html")}
        build_site(content, forked, **opts)
        rebuilt_signals = sorted(written)
    finally:
        signals.content_written.disconnect(on_written)
    assert len(serial_signals) > 100
    # two render workers beside the parent, in each of the two parallel builds
    assert fork_callers.count("_render_in_workers") == 4
    # articles described in a worker while pages are queued, in both parallel builds,
    # started as soon as every generator has its context (stories are known then)
    assert fork_callers.count("_start_describing") == 2
    assert forked_signals == serial_signals == rebuilt_signals  # one signal per page, in the parent
    assert _tree(forked) == _tree(serial)
    report = json.loads((forked / "report" / "report.json").read_text(encoding="utf-8"))
    assert report["entries"] == json.loads((serial / "report" / "report.json").read_text())["entries"]
    after = {p: p.stat().st_mtime_ns for p in forked.rglob("*.html")}
    assert [p for p in before if before[p] != after[p]] == []
    # Every page's fingerprint is the same whichever process described its articles: a
    # serial build (every article described where its page is) over the parallel
    # build's output re-renders nothing.
    build_site(content, forked, **{**opts, "NEWS_DIGEST_WORKERS": 1})
    after = {p: p.stat().st_mtime_ns for p in forked.rglob("*.html")}
    assert [p for p in before if before[p] != after[p]] == []


def test_an_early_describer_stopped_at_the_flush_leaves_the_rest_to_every_process(
    corpus, tmp_path, monkeypatch
):
    """The worker that describes articles while pages are queued stops when the flush
    starts; what it did not describe is shared out over the processes there. Stopped
    before its first article, every fingerprint is still exact: a rebuild renders nothing,
    nor does a serial one."""
    import types

    import news_digest.writer as writer_mod

    monkeypatch.setattr(writer_mod, "MIN_PAGES_PER_WORKER", 10)
    monkeypatch.setattr(writer_mod, "select", types.SimpleNamespace(select=lambda r, w, x, t: (r, [], [])))
    fork_callers = _record_writer_forks(monkeypatch)
    content = tmp_path / "content"
    shutil.copytree(corpus, content)
    opts = {"CACHE_PATH": str(tmp_path / "c"), "NEWS_DIGEST_WORKERS": 2}
    out = build_site(content, tmp_path / "out", **opts)
    describers = ("_start_describing", "_describe_contents_in_workers")
    assert [c for c in fork_callers if c in describers] == list(describers)
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*.html")}
    assert len(before) > 100
    for workers in (2, 1):
        build_site(content, out, **{**opts, "NEWS_DIGEST_WORKERS": workers})
        assert [p for p in before if p.stat().st_mtime_ns != before[p]] == []


def test_a_failing_page_in_a_worker_fails_the_build(corpus, tmp_path, monkeypatch):
    import news_digest.writer as writer_mod

    monkeypatch.setattr(writer_mod, "MIN_PAGES_PER_WORKER", 10)
    content = tmp_path / "content"
    shutil.copytree(corpus, content)
    real = writer_mod.SkipUnchangedWriter._write_now

    def broken(self, name, *args, **kwargs):
        if name.startswith("entities/"):
            raise ValueError(f"cannot render {name}")
        return real(self, name, *args, **kwargs)

    monkeypatch.setattr(writer_mod.SkipUnchangedWriter, "_write_now", broken)
    with pytest.raises(Exception, match="cannot render entities/"):
        build_site(content, tmp_path / "out", CACHE_PATH=str(tmp_path / "c"), NEWS_DIGEST_WORKERS=2)


def test_stories_grouped_in_the_background_equal_the_build_grouping(corpus, tmp_path, monkeypatch):
    import os

    import news_digest.parallel as parallel_mod
    import news_digest.stories as stories_mod

    monkeypatch.setattr(parallel_mod, "MIN_BACKGROUND_STORIES", 10)
    calls = tmp_path / "group_calls"
    real_group = stories_mod.group_stories

    def recording_group(inputs, settings=None, processes=1):
        with open(calls, "a") as fh:  # appended by whichever process groups
            fh.write(f"{os.getpid()}\n")
        return real_group(inputs, settings, processes)

    monkeypatch.setattr(stories_mod, "group_stories", recording_group)
    content = tmp_path / "content"
    shutil.copytree(corpus, content)
    serial = build_site(content, tmp_path / "serial", CACHE_PATH=str(tmp_path / "c1"), NEWS_DIGEST_WORKERS=1)
    assert calls.read_text().split() == [str(os.getpid())]
    calls.unlink()
    background = build_site(content, tmp_path / "bg", CACHE_PATH=str(tmp_path / "c2"), NEWS_DIGEST_WORKERS=2)
    groupers = calls.read_text().split()
    assert len(groupers) == 1 and groupers != [str(os.getpid())]  # grouped once, by the worker
    stories = sorted(p.relative_to(serial).as_posix() for p in serial.glob("**/stories/**/*.html"))
    assert len(stories) > 4
    # story pages and the "also covered by" boxes of article pages, in both editions
    boxed = [a for a in serial.glob("**/articles/*/index.html") if b'class="story-link"' in a.read_bytes()]
    assert len(boxed) > 4
    assert _tree(background) == _tree(serial)
    # nothing changed: the worker finds the grouping stored, and so does the build, by the
    # digests' cache keys alone (it builds no story inputs and hashes no text)
    import news_digest.cache as cache_mod

    calls.unlink()
    keyed = []
    real_key = cache_mod.stories_key
    monkeypatch.setattr(cache_mod, "stories_key", lambda *a: keyed.append(os.getpid()) or real_key(*a))
    build_site(content, background, CACHE_PATH=str(tmp_path / "c2"), NEWS_DIGEST_WORKERS=2)
    assert not calls.exists() and keyed == []
    # one dump changed (not a story input's text: its digest key alone): the build's
    # grouping is found by the inputs' own key, and stored again under the new digests
    victim = next(content.glob("**/*.txt"))
    victim.write_bytes(victim.read_bytes() + b"\n")
    build_site(content, background, CACHE_PATH=str(tmp_path / "c2"), NEWS_DIGEST_WORKERS=2)
    assert not calls.exists()
    keyed.clear()
    build_site(content, background, CACHE_PATH=str(tmp_path / "c2"), NEWS_DIGEST_WORKERS=2)
    assert not calls.exists() and keyed == []
    assert _tree(background) == _tree(serial)


def test_build_state_is_frozen_and_handed_back_to_the_collector_by_the_next_build(make_content, tmp_path):
    import gc
    import weakref

    from pelican import signals

    class Node:
        pass

    content = make_content(seeds=["004_f1c2a3039ebafd8a"])
    opts = {"CACHE_PATH": str(tmp_path / "cache")}
    cycle = Node()
    cycle.self = cycle
    alive = weakref.ref(cycle)
    build_site(content, tmp_path / "out", **opts)
    assert gc.get_freeze_count() > 1000  # what the build left is out of the collector's reach
    del cycle
    gc.collect()
    assert alive() is not None  # frozen: a cycle waits for the next build
    counts = []

    def after_thaw(pelican):
        counts.append(gc.get_freeze_count())
        gc.collect()
        counts.append(alive() is None)

    signals.initialized.connect(after_thaw)  # after news-digest's own receiver
    try:
        build_site(content, tmp_path / "out", **opts)
    finally:
        signals.initialized.disconnect(after_thaw)
    assert counts == [0, True]
    gc.unfreeze()


def test_collector_is_off_only_while_the_dumps_are_read(make_content, tmp_path):
    import gc

    from pelican import signals

    seen = []

    def while_reading(generator, metadata):
        seen.append(("read", gc.isenabled()))

    def after_reading(generator):
        seen.append(("after", gc.isenabled()))

    content = make_content(seeds=["004_f1c2a3039ebafd8a", "001_855c344d2a156454"])
    signals.article_generator_context.connect(while_reading)
    signals.article_generator_finalized.connect(after_reading)
    try:
        build_site(content, tmp_path / "out", CACHE_PATH=str(tmp_path / "cache"))
    finally:
        signals.article_generator_context.disconnect(while_reading)
        signals.article_generator_finalized.disconnect(after_reading)
    assert seen == [("read", False), ("read", False), ("after", True)]
    assert gc.isenabled()


def test_a_digest_is_its_cache_entry_but_slug_and_warnings(make_content, tmp_path):
    """The page writer describes an article's digest by its pipeline cache key plus slug
    and warnings (writer._digest_head). That is exact only while the build changes nothing
    else of a digest after reading it: this checks every article of a build against its
    cache entry, with a slug clash (which changes slug and warnings) among them."""
    import dataclasses

    from pelican import signals

    clash = (DUMPS / "004_f1c2a3039ebafd8a.txt").read_bytes()
    content = make_content(
        seeds=[p.stem for p in DUMPS.glob("*.txt")], extra={"dumps/copy_of_004.txt": clash}
    )
    found = {}

    def capture(generators):
        for generator in generators:
            for article in getattr(generator, "articles", []):
                found.update((id(a), a) for a in [article, *article.translations])

    signals.all_generators_finalized.connect(capture)
    try:
        build_site(content, tmp_path / "out", CACHE_PATH=str(tmp_path / "cache"))
    finally:
        signals.all_generators_finalized.disconnect(capture)
    cache = PipelineCache(tmp_path / "cache" / "news-digest")
    seen = list(found.values())
    assert len(seen) == 12 and all(a.lang in ("vi", "en") for a in seen)
    clashed = [a for a in seen if any("slug clash" in w.message for w in a.digest.warnings)]
    assert len(clashed) == 2  # the copy, in both editions
    # Loaded from the cache, a digest's lines stayed packed through the whole build
    # (the reader took its HTML and summary, the stories its lead, from the packed texts).
    assert all("lines" not in a.digest.__dict__ for a in seen)
    for article in seen:
        key = article.metadata["digest_key"]
        stored = cache.get(key)
        assert dataclasses.replace(stored, slug=article.digest.slug, warnings=article.digest.warnings) == (
            article.digest
        ), article.source_path
        assert stored.slug == article.digest.slug or article in clashed


def test_map_in_parts_keeps_order_and_recomputes_a_failed_childs_part():
    import os

    from news_digest.forks import map_in_parts, part_bounds

    assert part_bounds(10, 3) == [(0, 3), (3, 6), (6, 10)]
    parent = os.getpid()
    parts = map_in_parts(lambda part: [x * x for x in part], list(range(10)), 3, 2)
    assert parts == [[0, 1, 4], [9, 16, 25], [36, 49, 64, 81]]

    def fails_in_children(part):
        if os.getpid() != parent:
            raise RuntimeError("helper broke")
        return [x + 1 for x in part]

    assert sum(map_in_parts(fails_in_children, list(range(10)), 2, 1), []) == list(range(1, 11))
    # too small to split: one part, no fork
    assert map_in_parts(lambda part: list(part), [1, 2, 3], 4, 2) == [[1, 2, 3]]


def test_a_pickled_digest_unpacks_its_lines_on_first_access(rules):
    import copy
    import pickle

    from news_digest.pipeline import process_dump
    from news_digest.render import article_html, summary_text
    from news_digest.search import folded_body
    from news_digest.stories import lead_text

    digest = process_dump((DUMPS / "004_f1c2a3039ebafd8a.txt").read_bytes(), "dumps/004.txt", rules)
    texts = (article_html(digest), summary_text(digest), lead_text(digest))
    loaded = pickle.loads(pickle.dumps(digest))
    assert "lines" not in loaded.__dict__
    assert (article_html(loaded), summary_text(loaded), lead_text(loaded)) == texts
    assert folded_body(loaded) == folded_body(digest) != ""
    kept = copy.copy(loaded)  # a shallow copy leaves them packed too
    assert "lines" not in kept.__dict__ and kept.warnings is loaded.warnings
    assert summary_text(loaded, max_chars=40) == summary_text(digest, max_chars=40)
    assert loaded == digest and repr(loaded) == repr(digest)  # unpacks: the same lines
    assert "lines" in loaded.__dict__ and loaded.packed_text("html") is None
    assert [ln.to_dict() for ln in loaded.lines] == [ln.to_dict() for ln in digest.lines]
    assert pickle.loads(pickle.dumps(kept)) == digest  # packed, pickled again as it is
    loaded.body_lines[0].text = "changed"  # once unpacked, texts are derived from the lines
    assert article_html(loaded).startswith("<p>changed</p>") and article_html(loaded) != texts[0]
    with pytest.raises(AttributeError):
        loaded.no_such_field  # noqa: B018


# -- warm-build shortcuts -----------------------------------------------------------------
def test_key_index_serves_keys_of_unchanged_dumps_without_reading_them(tmp_path, rules, monkeypatch):
    import os
    import time

    from news_digest import parallel
    from news_digest.cache import KeyIndex

    monkeypatch.setattr(KeyIndex, "RECENT_NS", 0)  # the files below were just written
    content = tmp_path / "content"
    (content / "dumps").mkdir(parents=True)
    for i, name in enumerate(["a", "b", "c"]):
        (content / "dumps" / f"{name}.txt").write_text(
            f"Tiêu đề {i}\n\nNội dung bài {i}.\n", encoding="utf-8"
        )
    jobs = find_dumps(content)
    reads = []
    real_load_job = parallel.load_job
    monkeypatch.setattr(parallel, "load_job", lambda job: reads.append(job.source) or real_load_job(job))

    def keys(index):
        return [parallel.job_key(job, rules.version, index) for job in jobs]

    index = KeyIndex(tmp_path / "cache", rules.version)
    first = keys(index)
    assert first == [cache_key(Path(j.path).read_bytes(), j.source, rules.version) for j in jobs]
    index.save(keep={j.source for j in jobs})
    reads.clear()
    assert keys(KeyIndex(tmp_path / "cache", rules.version)) == first
    assert reads == []  # nothing read or hashed
    # Same size, modification time put back (as `cp -p` or `rsync -t` do): the change
    # time still moves, so the dump is read again and gets its new key.
    dump = Path(jobs[1].path)
    before = dump.stat()
    time.sleep(0.05)  # file times advance by clock ticks (a few ms)
    dump.write_bytes(dump.read_bytes().replace("bài".encode(), "báo".encode()))
    os.utime(dump, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert dump.stat().st_size == before.st_size and dump.stat().st_mtime_ns == before.st_mtime_ns
    index = KeyIndex(tmp_path / "cache", rules.version)
    second = keys(index)
    assert reads == [jobs[1].source]
    assert second[1] == cache_key(dump.read_bytes(), jobs[1].source, rules.version) != first[1]
    assert second[0] == first[0] and second[2] == first[2]
    # A sidecar appearing beside a dump changes its stamp (the key covers the sidecar).
    reads.clear()
    (content / "dumps" / "c.meta.yaml").write_text("title: Khác\n", encoding="utf-8")
    assert keys(index)[2] != first[2] and reads == [jobs[2].source]
    # Keys depend on the data files and the code: another version starts empty.
    index.save()
    assert KeyIndex(tmp_path / "cache", rules.version).entries
    assert KeyIndex(tmp_path / "cache", "other data files").entries == {}


def test_key_index_does_not_remember_a_file_written_just_before_it_was_read(tmp_path, rules):
    import time

    from news_digest.cache import KeyIndex, dump_stamp

    dump = tmp_path / "a.txt"
    dump.write_text("Tiêu đề\n\nNội dung.\n", encoding="utf-8")
    index = KeyIndex(tmp_path / "cache", rules.version)
    # A second write within the same clock tick could keep this stamp: not remembered.
    index.put("a.txt", dump_stamp(dump), "k", time.time_ns())
    assert index.get("a.txt", dump_stamp(dump)) is None
    index.put("a.txt", dump_stamp(dump), "k", time.time_ns() + 2 * KeyIndex.RECENT_NS)
    assert index.get("a.txt", dump_stamp(dump)) == "k"


def test_build_with_key_index_reads_a_changed_dump_anew(make_content, tmp_path, monkeypatch):
    """End to end: the second build takes unchanged dumps' keys from the index and
    still publishes the edited dump's new text."""
    from news_digest.cache import KeyIndex

    monkeypatch.setattr(KeyIndex, "RECENT_NS", 0)
    content = make_content(seeds=["004_f1c2a3039ebafd8a", "001_855c344d2a156454"])
    opts = {"CACHE_PATH": str(tmp_path / "cache")}
    build_site(content, tmp_path / "out", **opts)
    assert (tmp_path / "cache" / "news-digest" / KeyIndex.FILE_NAME).is_file()
    dump = content / "dumps" / "004_f1c2a3039ebafd8a.txt"
    dump.write_bytes(dump.read_bytes().replace(b"NASA", b"JAXA"))
    out = build_site(content, tmp_path / "out", **opts)
    pages = "".join(p.read_text(encoding="utf-8") for p in out.glob("articles/*/index.html"))
    assert "JAXA" in pages and "NASA" not in pages
    report = json.loads((out / "report" / "report.json").read_text(encoding="utf-8"))
    assert sum(e["status"].startswith("published") for e in report["entries"] if e["kind"] == "dump") == 2


def test_page_items_described_from_the_paginated_list_equal_the_slice():
    from news_digest.writer import SkipUnchangedWriter
    from pelican.paginator import Paginator

    writer = SkipUnchangedWriter.describer()
    settings = {"DEFAULT_ORPHANS": 3, "PAGINATION_PATTERNS": [(1, "{url}", "{save_as}")]}
    for count in (1, 3, 4, 20, 23, 24, 41):
        listed = [f"article {i}" for i in range(count)]
        paginator = Paginator("index.html", "", listed, settings, per_page=10)
        for number in range(1, paginator.num_pages + 1):
            page = paginator.page(number)
            assert writer._describe_page_items(page, 1) == writer.describe(list(page.object_list), 1)
    # A page that is not a slice of its paginator's list is described as it is.
    page = Paginator("index.html", "", ["x"] * 5, settings, per_page=10).page(1)
    page.object_list = ["y"] * 5
    assert writer._describe_page_items(page, 1) == writer.describe(["y"] * 5, 1)


def test_articles_are_ordered_independently_of_the_reading_order():
    import datetime as dt
    import random
    from types import SimpleNamespace

    from news_digest import order_articles

    day = dt.datetime(2024, 5, 1)
    articles = [
        SimpleNamespace(source_path=f"/c/dumps/{i:03d}.txt", date=day + dt.timedelta(days=i % 3))
        for i in range(30)
    ]
    expected = order_articles(list(articles))
    assert [a.date for a in expected] == sorted((a.date for a in articles), reverse=True)
    for seed in range(5):
        shuffled = articles[:]
        random.Random(seed).shuffle(shuffled)
        assert order_articles(shuffled) == expected


def test_story_inputs_are_kept_by_cache_key_and_equal_the_loaded_ones(corpus, rules, tmp_path, monkeypatch):
    from news_digest import parallel

    cache = PipelineCache(tmp_path / "cache")
    jobs = find_dumps(corpus)
    prefill(jobs, cache, workers=1)
    first = parallel.story_inputs_from_cache(jobs, cache, rules.version)
    assert (tmp_path / "cache" / parallel.STORY_INPUTS_FILE).is_file()
    loads = []
    real_get = PipelineCache.get
    monkeypatch.setattr(PipelineCache, "get", lambda self, key: loads.append(key) or real_get(self, key))
    assert parallel.story_inputs_from_cache(jobs, cache, rules.version) == first
    assert loads == []  # every input came from the memo
    # A changed dump: only its digest is loaded, and its inputs are the new ones.
    dump = Path(jobs[0].path)
    dump.write_bytes(dump.read_bytes() + "\nMột dòng thêm ở cuối bài.\n".encode())
    prefill(jobs, cache, workers=1)
    inputs, digests = parallel.story_inputs_from_cache(jobs, cache, rules.version)
    assert len(loads) == 1
    monkeypatch.setattr(PipelineCache, "get", real_get)
    (tmp_path / "cache" / parallel.STORY_INPUTS_FILE).unlink()
    assert parallel.story_inputs_from_cache(jobs, cache, rules.version) == (inputs, digests)


def test_an_early_describer_no_writer_takes_over_is_stopped_and_reaped(monkeypatch):
    import os

    import news_digest.writer as writer_mod

    monkeypatch.setattr(writer_mod, "writer_queues_pages", lambda settings: True)
    monkeypatch.setattr(writer_mod, "render_workers", lambda settings: 2)
    monkeypatch.setattr(writer_mod, "MIN_PAGES_PER_WORKER", 1)
    writer_mod.describe_articles_early([f"article {i}" for i in range(10)], {})
    assert len(writer_mod._early_started) == 1
    pid, result_path = writer_mod._early_started[0][:2]
    writer_mod.stop_unclaimed_describer()
    assert writer_mod._early_started == []
    assert not os.path.exists(result_path)
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, 0)  # already reaped


def test_a_warm_build_takes_its_digests_from_the_pack(make_content, tmp_path, monkeypatch):
    from news_digest.cache import DigestPack, KeyIndex

    monkeypatch.setattr(KeyIndex, "RECENT_NS", 0)
    seeds = ["004_f1c2a3039ebafd8a", "001_855c344d2a156454", "002_1d216cd8c5788951"]
    content = make_content(seeds=seeds)
    opts = {"CACHE_PATH": str(tmp_path / "cache")}
    out = build_site(content, tmp_path / "out", **opts)
    (pack,) = (tmp_path / "cache" / "news-digest").glob("digest-pack-*.pickle")
    before = {p: p.read_bytes() for p in out.rglob("*.html")}
    loads = []
    real_get = PipelineCache.get
    monkeypatch.setattr(PipelineCache, "get", lambda self, key: loads.append(key) or real_get(self, key))
    build_site(content, out, **opts)
    assert loads == []  # every digest came from the pack
    assert {p: p.read_bytes() for p in out.rglob("*.html")} == before
    # An edited dump is not in the pack: its digest comes from its own entry, with the new text.
    dump = content / "dumps" / f"{seeds[0]}.txt"
    dump.write_bytes(dump.read_bytes().replace(b"NASA", b"JAXA"))
    build_site(content, out, **opts)
    assert len(loads) == 1
    pages = "".join(p.read_text(encoding="utf-8") for p in out.glob("articles/*/index.html"))
    assert "JAXA" in pages and "NASA" not in pages
    # A pack written by other code is not used.
    reader = DigestPack(pack.parent, content)
    assert reader.path == pack
    reader._open()
    key = next(iter(reader.index))
    assert reader.take(key) is not None and reader.take(key) is None  # handed out once
    reader.close()
    monkeypatch.setattr("news_digest.cache.code_version", lambda: "other code")
    assert DigestPack(pack.parent, content).take(key) is None


def test_glossary_summaries_are_kept_by_cache_key(make_content, tmp_path, monkeypatch):
    from news_digest.generators import GlossaryMemo
    from news_digest.translate.glossary import GlossaryTranslator

    seeds = ["004_f1c2a3039ebafd8a", "001_855c344d2a156454"]
    content = make_content(seeds=seeds)
    opts = {"CACHE_PATH": str(tmp_path / "cache")}
    out = build_site(content, tmp_path / "out", **opts)
    assert (tmp_path / "cache" / "news-digest" / GlossaryMemo.FILE_NAME).is_file()
    before = {p: p.read_bytes() for p in out.rglob("*.html")}
    made = []
    real = GlossaryTranslator.translate
    monkeypatch.setattr(
        GlossaryTranslator, "translate", lambda self, a: made.append(a.source) or real(self, a)
    )
    build_site(content, out, **opts)
    assert made == []
    assert {p: p.read_bytes() for p in out.rglob("*.html")} == before
    # A changed dump has a new key: its summary is made again, from the new digest.
    dump = content / "dumps" / f"{seeds[0]}.txt"
    dump.write_bytes(b"Date: 2021-03-04\n\n" + dump.read_bytes())
    out = build_site(content, out, **opts)
    assert made == [f"dumps/{seeds[0]}.txt"]
    english = "".join(p.read_text(encoding="utf-8") for p in out.glob("en/articles/*/index.html"))
    assert "March 4, 2021" in english


def test_template_variables_are_kept_until_a_template_they_read_changes(tmp_path, monkeypatch):
    import jinja2
    from news_digest import writer as writer_module
    from news_digest.writer import SkipUnchangedWriter

    theme = tmp_path / "templates"
    theme.mkdir()
    (theme / "base.html").write_text("{{ site_name }}{% block body %}{% endblock %}", encoding="utf-8")
    (theme / "page.html").write_text(
        '{% extends "base.html" %}{% block body %}{{ article.title }}{% endblock %}', encoding="utf-8"
    )
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(theme)))
    settings = {"CACHE_PATH": str(tmp_path / "cache")}

    def variables() -> frozenset[str] | None:
        writer = SkipUnchangedWriter(str(tmp_path / "out"), settings=settings)
        found = writer.template_variables(env.get_template("page.html"))
        writer.save_manifest()
        return found

    assert variables() == {"site_name", "article"}
    # The next build takes them from the file without parsing a template.
    parsed = []
    real = writer_module._read_template_tree
    monkeypatch.setattr(
        writer_module, "_read_template_tree", lambda env, name: parsed.append(name) or real(env, name)
    )
    assert variables() == {"site_name", "article"} and parsed == []
    # A template it extends changes: parsed again, and the new answer is kept.
    (theme / "base.html").write_text("{{ SITENAME }}{% block body %}{% endblock %}", encoding="utf-8")
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(theme)))
    assert variables() == {"SITENAME", "article"} and parsed == ["page.html"]
    assert variables() == {"SITENAME", "article"} and parsed == ["page.html"]


def test_shared_objects_are_described_once_and_per_page_containers_are_not_kept():
    from news_digest.writer import SkipUnchangedWriter

    class Period:
        views = 0

        def fingerprint_view(self):
            Period.views += 1
            return ("2023", 4)

    writer = SkipUnchangedWriter.describer()
    period = Period()
    first = writer.describe(period)
    assert writer.describe(period) == first and Period.views == 1
    kept = len(writer._memo)
    alternates = [{"lang": "vi", "url": "a/"}, {"lang": "en", "url": "en/a/"}]
    assert writer.describe(alternates) == writer.describe([dict(d) for d in alternates])
    assert len(writer._memo) == kept  # made for one page: described, not kept alive


def test_plain_dataclasses_are_described_by_their_field_values_and_others_by_repr():
    """A dataclass whose shown fields are plain values (a translation: title, paragraphs …)
    is described by those values, not its repr; each field still changes the description,
    a list is not a tuple, and one with a nested object falls back to the repr."""
    import dataclasses

    from news_digest.model import Translation, Warning_
    from news_digest.writer import SkipUnchangedWriter

    writer = SkipUnchangedWriter.describer()
    base = Translation("human", "Title", ["Một.", "Hai."], "sidecar.en.md", "", "")
    described = writer.describe(base)
    assert described[0] == "dcv" and writer.describe(dataclasses.replace(base)) == described
    for change in (
        {"provenance": "machine"},
        {"title": "Title!"},
        {"paragraphs": ["Một.", "Hai!"]},
        {"paragraphs": ("Một.", "Hai.")},
        {"translator": "other"},
        {"notice": "n"},
        {"html": "<p>x</p>"},
    ):
        assert writer.describe(dataclasses.replace(base, **change)) != described, change

    @dataclasses.dataclass
    class Holder:
        warning: Warning_

    nested = writer.describe(Holder(Warning_("w", 3)))
    assert nested == ("dc", repr(Holder(Warning_("w", 3))))
    assert writer.describe(Holder(Warning_("w", 4))) != nested


def test_map_in_parts_pauses_the_callers_collector_while_its_children_run():
    import gc
    import os

    from news_digest.forks import map_in_parts

    parent = os.getpid()
    parts = map_in_parts(lambda part: [(os.getpid() == parent, gc.isenabled())], list(range(4)), 2, 1)
    assert parts == [[(True, False)], [(False, True)]]
    assert gc.isenabled()


URL_PATTERNS = {
    "ARTICLE_URL": "{category}/{slug}.html",
    "ARTICLE_SAVE_AS": "{date:%Y}/{date:%m}/{slug}/index.html",
    "ARTICLE_LANG_URL": "{lang}/{path}/{author}-{slug}/",
    "ARTICLE_LANG_SAVE_AS": "{lang}/{path}/{author}-{slug}/index.html",
    "DRAFT_URL": "drafts/{slug}-{lang}.html",
    "DRAFT_SAVE_AS": "drafts/{slug}-{lang}.html",
    "DRAFT_LANG_URL": "drafts/{lang}/{slug}.html",
    "DRAFT_LANG_SAVE_AS": "drafts/{lang}/{slug}.html",
}


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("status", ["published", "draft"])
@pytest.mark.parametrize("extra", [{}, {"path": "elsewhere/given.txt", "author": "Thanh Hà"}])
def test_pelican_url_and_save_as_equal_pelicans_own(tmp_path, lang, status, extra):
    """fix_article_urls formats an article's URL and output name itself, from one set of
    values (pelican_url_and_save_as); they must be what Pelican's own ``url`` and
    ``save_as`` give, for every pattern field, both languages, drafts, and metadata that
    gives its own ``path``."""
    import datetime

    from news_digest import pelican_url_and_save_as
    from pelican.contents import Article, Author, Category
    from pelican.settings import DEFAULT_CONFIG

    settings = {**DEFAULT_CONFIG, **URL_PATTERNS, "PATH": str(tmp_path), "DEFAULT_LANG": "vi"}
    if "author" in extra:
        extra = {**extra, "author": Author(extra["author"], settings)}
    source = tmp_path / "dumps" / "batch01" / "Tin nóng.txt"
    metadata = {
        "title": "Tin <nóng>",
        "slug": "tin-nong",
        "date": datetime.datetime(2024, 3, 9, 7, 30),
        "lang": lang,
        "status": status,
        "category": Category("Thời sự", settings),
        **extra,
    }
    article = Article("<p>x</p>", metadata, settings=settings, source_path=str(source))
    expected = (article.url, article.save_as)
    assert pelican_url_and_save_as(article) == expected
    # Each pattern field shows up, so a field formatted wrongly cannot pass unseen.
    assert "thoi-su" in expected[0] or status == "draft" or lang == "en"
    if lang == "en" and status == "published":
        assert (extra.get("path") or "dumps/batch01/Tin nóng.txt") in expected[0]
    if status == "published" and lang == "vi":
        assert expected[1] == "2024/03/tin-nong/index.html"


#: The phases a build without a search index logs, in order (news_digest.report_phases).
BUILD_PHASES = [
    "data files and prefill",
    "reading",
    "translations and links",
    "indexes and stories",
    "queueing pages",
    "page fingerprints and rendering",
]


def test_a_build_logs_and_keeps_how_long_each_of_its_phases_took(make_content, tmp_path, caplog):
    import logging

    content = make_content(seeds=SEED_STEMS[:2])
    cache = tmp_path / "cache"
    with caplog.at_level(logging.INFO, logger="news_digest"):
        build_site(content, tmp_path / "out", CACHE_PATH=str(cache))
    (kept,) = cache.rglob("build-phases-*.json")
    phases = json.loads(kept.read_text(encoding="utf-8"))["phases"]
    assert [name for name, _ in phases] == BUILD_PHASES
    assert all(seconds >= 0 for _, seconds in phases)
    (logged,) = [r.getMessage() for r in caplog.records if "news-digest: phases:" in r.getMessage()]
    assert logged.startswith("news-digest: phases: data files and prefill ")
    assert all(f"{name} " in logged for name, _ in phases)
    # The next build replaces the file (one per output directory), with its own phases.
    build_site(content, tmp_path / "out", CACHE_PATH=str(cache))
    assert list(cache.rglob("build-phases-*.json")) == [kept]


def test_a_rebuild_by_the_same_pelican_object_starts_from_a_clean_state(make_content, tmp_path):
    """`pelican --autoreload` runs one Pelican object again (no ``initialized`` signal):
    the second build runs as a new one would: it reports only the dumps it read (not one
    deleted in between), and its phases are its own, from its prefill on."""
    from pelican import Pelican

    content = make_content(seeds=SEED_STEMS[:2])
    cache = tmp_path / "cache"
    pelican = Pelican(site_settings(content, tmp_path / "out", CACHE_PATH=str(cache)))
    pelican.run()
    (content / "dumps" / f"{SEED_STEMS[0]}.txt").unlink()
    pelican.run()
    report = json.loads((tmp_path / "out" / "report" / "report.json").read_text(encoding="utf-8"))
    assert [entry["source"] for entry in report["entries"]] == [f"dumps/{SEED_STEMS[1]}.txt"]
    (kept,) = cache.rglob("build-phases-*.json")
    names = [name for name, _ in json.loads(kept.read_text(encoding="utf-8"))["phases"]]
    assert names == BUILD_PHASES


def test_an_unchanged_report_json_is_not_rewritten(make_content, tmp_path):
    """report.json is written when the report changed or the file is missing, and left
    alone otherwise (generators.write_report_json keeps the report's key); its content is
    always the report of the build."""
    content = make_content(seeds=SEED_STEMS[:2])
    opts = {"CACHE_PATH": str(tmp_path / "cache")}
    out = build_site(content, tmp_path / "out", **opts)
    written = out / "report" / "report.json"
    first = written.stat().st_mtime_ns
    build_site(content, out, **opts)
    assert written.stat().st_mtime_ns == first
    # a file nobody reports on becomes an "ignored" entry: the report changed
    (content / "dumps" / "notes.bak").write_text("scratch", encoding="utf-8")
    build_site(content, out, **opts)
    assert written.stat().st_mtime_ns != first
    entries = {e["source"]: e for e in json.loads(written.read_text(encoding="utf-8"))["entries"]}
    assert entries["dumps/notes.bak"]["status"] == "ignored"
    # a deleted file is written again, though the report did not change
    written.unlink()
    build_site(content, out, **opts)
    assert json.loads(written.read_text(encoding="utf-8"))["entries"] == list(entries.values())


def test_a_report_key_changes_with_any_entry_and_is_none_for_values_it_cannot_hash():
    from news_digest.report import BuildReport, ReportEntry

    def report(**changes):
        built = BuildReport()
        built.add(ReportEntry("dumps/a.txt", "dump", "published", slug="a"))
        built.add(ReportEntry(**{"source": "dumps/b.txt", "kind": "dump", "status": "published", **changes}))
        return built

    base = report().key()
    assert base == report().key()
    assert {
        report(title="B").key(),
        report(status="rejected").key(),
        report(details={"x": 1}).key(),
    }.isdisjoint({base})
    assert report(details={"x": object()}).key() is None


def test_pelicans_content_cachers_skip_file_stamps_only_for_a_cache_they_do_not_keep(tmp_path):
    """With CACHE_CONTENT off, Pelican stamps every file it reads for a cache that stays
    empty; skip_unused_file_stamps stops that and nothing else."""
    from news_digest import skip_unused_file_stamps
    from pelican.cache import FileStampDataCacher
    from pelican.settings import DEFAULT_CONFIG

    stamped = []

    def cacher(caching: bool) -> FileStampDataCacher:
        made = FileStampDataCacher({**DEFAULT_CONFIG, "CACHE_PATH": str(tmp_path)}, "x", caching, False)
        made._filestamp_func = lambda path: stamped.append(path) or 1.0
        return made

    off = cacher(False)
    assert skip_unused_file_stamps(off)
    off.cache_data("a.txt", "data")
    assert off.get_cached_data("a.txt", "default") == "default"
    assert stamped == []
    on = cacher(True)
    assert not skip_unused_file_stamps(on)
    on.cache_data("a.txt", "data")
    assert on.get_cached_data("a.txt", "default") == "data"
    assert stamped == ["a.txt", "a.txt"]
    # a cache loaded from disk keeps its stamps, even when it is not saved again
    loaded = cacher(False)
    loaded._cache = {"a.txt": (1.0, "data")}
    assert not skip_unused_file_stamps(loaded)
    assert not skip_unused_file_stamps(None)


def test_a_build_without_content_cache_does_not_stamp_the_dumps(make_content, tmp_path, monkeypatch):
    import os

    stamped = []
    real = os.path.getmtime
    monkeypatch.setattr(os.path, "getmtime", lambda path: stamped.append(str(path)) or real(path))
    content = make_content(seeds=SEED_STEMS[:2])
    build_site(content, tmp_path / "out", CACHE_PATH=str(tmp_path / "cache"))
    assert not [p for p in stamped if p.endswith(".txt")]


def test_a_shared_small_container_is_described_once_and_anew_when_replaced():
    """A small container of the shared context (nd_dirs) is described once per build, not
    per page; a page fingerprint is the same whichever way its parts were described, and a
    context value replaced by another object is described again."""
    from types import SimpleNamespace

    from news_digest.writer import SkipUnchangedWriter

    def writer():
        made = SkipUnchangedWriter.describer()
        made._static_fp, made._sorted_variables = "static", {"t.html": ["alternates", "nd_dirs"]}
        made.settings = {}
        return made

    template = SimpleNamespace(name="t.html", environment=SimpleNamespace(globals={}))
    context = {"nd_dirs": {"topics": "topics", "dates": "dates"}}
    kwargs = {"alternates": [{"lang": "vi", "url": "a/"}]}
    shared = writer()
    first = shared.page_fingerprint("a.html", template, context, kwargs)
    assert shared._shared["nd_dirs"][0] is context["nd_dirs"]
    assert shared.page_fingerprint("a.html", template, context, kwargs) == first
    assert writer().page_fingerprint("a.html", template, context, kwargs) == first
    context["nd_dirs"] = {"topics": "chu-de", "dates": "dates"}
    assert shared.page_fingerprint("a.html", template, context, kwargs) != first
    assert shared.page_fingerprint("a.html", template, context, kwargs) == writer().page_fingerprint(
        "a.html", template, context, kwargs
    )


def test_a_report_without_a_key_is_written_and_leaves_no_key_behind(make_content, tmp_path, monkeypatch):
    """A report whose key cannot be made is always written, and the key of the file it
    replaced is dropped: a later build whose report equals that older one writes again."""
    from news_digest.report import BuildReport

    content = make_content(seeds=SEED_STEMS[:2])
    opts = {"CACHE_PATH": str(tmp_path / "cache")}
    out = build_site(content, tmp_path / "out", **opts)
    written = out / "report" / "report.json"
    (state,) = (tmp_path / "cache").rglob("report-*.pickle")
    extra = content / "dumps" / "notes.bak"
    extra.write_text("scratch", encoding="utf-8")
    with monkeypatch.context() as patched:
        patched.setattr(BuildReport, "key", lambda self: None)
        build_site(content, out, **opts)
    assert not state.exists()
    assert "dumps/notes.bak" in written.read_text(encoding="utf-8")
    extra.unlink()  # the report is the first build's again
    build_site(content, out, **opts)
    assert "dumps/notes.bak" not in written.read_text(encoding="utf-8")
    assert state.exists()
