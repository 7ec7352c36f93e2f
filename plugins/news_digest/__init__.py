"""news-digest: a Pelican plugin that turns raw Vietnamese news dumps into a digest site.

The pure pipeline (decode → clean → metadata → …) lives in the sibling modules and is
importable without Pelican; only ``register()`` and the modules it imports lazily
(``reader``, ``generators``) touch Pelican.
"""

from __future__ import annotations

import functools
import logging

__version__ = "0.1.0"

THEME_LOCALEDIR_SETTING = "NEWS_DIGEST_LOCALEDIR"


def _initialized(pelican) -> None:
    from . import settings as nd_settings
    from .dates import load_date_rules
    from .rules import load_rules
    from .state import STATE, thaw_previous_build
    from .writer import stop_unclaimed_describer

    nd_settings.apply_defaults(pelican.settings)
    STATE.reset()
    STATE.mark_phase("data files and prefill")
    stop_unclaimed_describer()  # a previous build in this process stopped before its writer
    thaw_previous_build()
    # Validate every data file before anything is read or written: a broken rule file
    # stops the build here with one error naming the file and entry.
    rules = load_rules(pelican.settings.get("NEWS_DIGEST_DATA_DIR"))
    load_date_rules(rules)  # officeholders.yaml, events.yaml, dates.yaml


def _prefill_cache(pelican) -> None:
    """Run the pure pipeline over every dump in a process pool before Pelican reads.

    Fills the pipeline cache (NEWS_DIGEST_CACHE_DIR) with NEWS_DIGEST_WORKERS processes so
    the reader, which Pelican calls one file at a time, only loads results. Serial when
    NEWS_DIGEST_WORKERS is 1 or the cache is off; dumps already cached are skipped. Then,
    on a large corpus, story grouping starts in the background (parallel.py).
    """
    import logging
    import time

    from . import settings as nd_settings
    from .cache import DigestPack, KeyIndex, PipelineCache
    from .parallel import MIN_BACKGROUND_STORIES, default_workers, find_dumps, prefill, start_story_grouping
    from .rules import load_rules
    from .state import STATE

    settings = pelican.settings
    nd_settings.apply_defaults(settings)
    workers = nd_settings.get(settings, "NEWS_DIGEST_WORKERS") or default_workers()
    directory = nd_settings.cache_dir(settings)
    if workers <= 1 or not directory:
        return
    start = time.perf_counter()
    jobs = find_dumps(
        settings["PATH"],
        settings.get("ARTICLE_PATHS", [""]),
        settings.get("ARTICLE_EXCLUDES", []),
        nd_settings.get(settings, "NEWS_DIGEST_DUMP_EXTENSIONS"),
        settings.get("IGNORE_FILES", [".#*"]),
    )
    cache = PipelineCache(directory)
    rules = load_rules(settings.get("NEWS_DIGEST_DATA_DIR"))
    index = KeyIndex(directory, rules.version)
    stats = prefill(jobs, cache, settings.get("NEWS_DIGEST_DATA_DIR"), workers, index=index)
    index.save(keep={job.source for job in jobs})
    STATE.key_index = index  # the reader takes the keys of unchanged dumps from it
    STATE.digest_pack = DigestPack(directory, settings["PATH"])  # and their digests from this
    if len(jobs) >= MIN_BACKGROUND_STORIES:
        # The other cores group stories while this process reads the articles.
        STATE.story_worker = start_story_grouping(jobs, cache, rules, settings, index)
    logging.getLogger(__name__).info(
        "news-digest: %d dumps, %d cached, %d processed on %d workers in %.2fs",
        stats.total,
        stats.cached,
        stats.computed,
        workers,
        time.perf_counter() - start,
    )


def _readers_init(readers) -> None:
    from . import settings as nd_settings
    from .reader import DumpReader
    from .state import STATE, pause_collector_while_reading

    pause_collector_while_reading()  # until the articles are read (_article_pretaxonomy)
    # Every generator makes its readers when Pelican creates it, right before the first
    # one reads its files.
    if STATE.phases and STATE.phases[-1][0] == "data files and prefill":
        STATE.mark_phase("reading")

    for ext in nd_settings.get(readers.settings, "NEWS_DIGEST_DUMP_EXTENSIONS"):
        readers.reader_classes[ext] = DumpReader


def _no_stamp(_path: str) -> None:
    return None


def skip_unused_file_stamps(cacher) -> bool:
    """Stop a Pelican content cacher (a generator or its readers) from stamping files
    for a cache it neither loaded nor keeps.

    With ``CACHE_CONTENT`` off, Pelican still stats every file four times per build
    (``get_cached_data`` and ``cache_data``, in the articles generator and in its readers)
    and throws the stamps away: ~0.3 s of a warm 10,000-dump build. Without a loaded
    entry, a constant stamp gives the same answers (nothing cached, nothing kept).
    Returns whether it did; a cacher that caches, or a Pelican whose cacher looks
    different, is left as it is."""
    if getattr(cacher, "_cache_data_policy", True) or getattr(cacher, "_cache", None) != {}:
        return False
    if not callable(getattr(cacher, "_filestamp_func", None)):
        return False
    cacher._filestamp_func = _no_stamp
    return True


def _article_generator_init(generator) -> None:
    skip_unused_file_stamps(generator)
    skip_unused_file_stamps(getattr(generator, "readers", None))


def _generator_init(generator) -> None:
    """Give every generator's Jinja environment the language-aware gettext."""
    from pathlib import Path

    from . import i18n

    localedir = generator.settings.get(THEME_LOCALEDIR_SETTING) or (
        Path(generator.settings["THEME"]) / "translations"
    )
    i18n.install(generator.env, localedir)
    _install_filters(generator.env)


def _install_filters(env) -> None:
    """Jinja filters of the theme: ``fold_diacritics`` and ``search_folded`` (the search
    index's folded copy of an article)."""
    from .search import fold_diacritics, search_folded

    env.filters["fold_diacritics"] = fold_diacritics
    env.filters["search_folded"] = search_folded


def _article_context(generator, metadata) -> None:
    """Record rejected dumps in the build report (skipped files never become articles)."""
    from .report import REJECTED, ReportEntry
    from .state import STATE

    rejection = metadata.get("digest_rejection")
    if rejection:
        STATE.report.add(
            ReportEntry(
                source=rejection["source"],
                kind="dump",
                status=REJECTED,
                reason=rejection["reason"],
                line=rejection.get("line"),
                details={"encoding": rejection["encoding"]} if rejection.get("encoding") else {},
            )
        )


def _article_pretaxonomy(generator) -> None:
    """Make slugs unique across the corpus and record every published dump."""
    import copy

    from .generators import article_url
    from .report import PUBLISHED, PUBLISHED_WITH_WARNINGS, ReportEntry
    from .slugs import assign_unique_slugs
    from .state import STATE

    # Pelican reads files in the order of a set of paths (hash-randomised per process),
    # then sorts by date: articles of one day would swap places from build to build (and
    # re-render every list page). Pelican's translation pairing used to sort by path first;
    # it is off (ARTICLE_TRANSLATION_ID = None in the site settings), so sort here.
    generator.articles[:] = order_articles(
        generator.articles, generator.settings.get("ARTICLE_ORDER_BY", "reversed-date")
    )
    articles = [a for a in generator.articles if hasattr(a, "digest")]
    unique = assign_unique_slugs([(a.digest.source, a.digest.slug) for a in articles])
    for article in articles:
        # A private copy: Pelican's content cache (CACHE_CONTENT) pickles the reader's
        # metadata after this signal, so mutating the shared object would store this
        # build's slug and warnings and repeat them on the next cached build.
        # (``copy.copy``, not ``dataclasses.replace``: it leaves cached lines packed.)
        digest = article.digest = copy.copy(article.digest)
        digest.warnings = list(digest.warnings)
        slug = unique[digest.source]
        if slug != article.slug:
            article.slug = slug
            digest.slug = slug
            digest.warnings.append(
                _warning(f"slug clash: another dump has this title; published as {slug!r}")
            )
    fix_article_urls(articles)  # every slug is final
    for article in articles:
        digest = article.digest
        slug = article.slug
        warnings = [w.message + (f" (line {w.line})" if w.line else "") for w in digest.warnings]
        STATE.report.add(
            ReportEntry(
                source=digest.source,
                kind="dump",
                status=PUBLISHED_WITH_WARNINGS if warnings else PUBLISHED,
                reason="; ".join(warnings) if warnings else "published",
                warnings=warnings,
                slug=slug,
                title=digest.meta.display_title,
                url=article_url(article),
                details={"encoding": digest.encoding},
            )
        )
    from .generators import add_english_articles
    from .state import STATE, freeze_build_state, resume_collector

    freeze_build_state()  # what was read lives until the build ends
    resume_collector()
    STATE.mark_phase("translations and links")
    add_english_articles(generator)
    freeze_build_state()  # every article of the build exists now


def order_articles(articles: list, order_by: str = "reversed-date") -> list:
    """``articles`` in Pelican's ARTICLE_ORDER_BY order, ties broken by source path, so
    the order does not depend on the order the files were read in."""
    from pelican.utils import order_content

    return order_content(sorted(articles, key=lambda a: a.source_path or ""), order_by)


def fix_article_urls(articles) -> None:
    """Record each news-digest article's URL and output name now that its slug, language,
    date and category are final (Pelican's ``override_url`` / ``override_save_as``).

    Pelican formats both anew on every access (a metadata copy, a relative source path
    and a ``str.format``: ~30 µs), and a build asked about three and a half times per
    article (69,993 formats for 19,998 articles, profiled; its page, its links, the
    writer's checks): 1.3–2.2 s at 10,000 dumps (sampled). The
    values are the ones Pelican would format (:func:`pelican_url_and_save_as`). As with
    a ``save_as`` in an article's metadata, Pelican then lets the article's page take
    precedence over another page writing the same file; two articles on one file still
    fail the build. Articles that already override either value (an editor's
    ``save_as``) are left alone."""
    for article in articles:
        if not hasattr(article, "digest"):
            continue
        if hasattr(article, "override_url") or hasattr(article, "override_save_as"):
            continue
        url, save_as = pelican_url_and_save_as(article)
        article.override_url = url
        article.override_save_as = save_as


def pelican_url_and_save_as(article) -> tuple[str, str]:
    """``(article.url, article.save_as)`` as Pelican formats them, from one set of format
    values instead of two.

    Pelican's ``url_format`` copies the metadata and computes the relative source path
    (two ``abspath`` and a ``relpath``) for each of the two: ~0.7 s of a warm 10,000-dump
    build, for 20,000 articles. Here the path is the ``relative_source_path`` Pelican
    computed from the same source path when it created the article.
    ``test_pelican_url_and_save_as_equal_pelicans_own`` compares both with Pelican's
    properties, so a Pelican that formats them differently fails that test."""
    article_expand, path_to_url, now = _url_tools()
    if type(article)._expand_settings is not article_expand:
        return article.url, article.save_as  # another kind of content: its own rules
    metadata = article.metadata
    values = dict(metadata)
    if "path" in metadata:
        path = metadata["path"]
    elif getattr(article, "relative_source_path", None) is not None:
        path = article.relative_source_path
    else:
        path = article.get_relative_source_path()
    values.update(
        path=path_to_url(path),
        slug=getattr(article, "slug", ""),
        lang=getattr(article, "lang", "en"),
        date=article.date if hasattr(article, "date") else now(),
        author=article.author.slug if hasattr(article, "author") else "",
        category=article.category.slug if hasattr(article, "category") else "",
    )
    klass = "DRAFT" if article.status == "draft" else "ARTICLE"
    lang = "" if article.in_default_lang else "LANG_"
    settings = article.settings
    return (
        str(settings[f"{klass}_{lang}URL"]).format(**values),
        str(settings[f"{klass}_{lang}SAVE_AS"]).format(**values),
    )


@functools.cache
def _url_tools():
    """What :func:`pelican_url_and_save_as` needs of Pelican, imported once (three imports
    a call were a third of its time)."""
    import datetime

    from pelican.contents import Article
    from pelican.utils import path_to_url

    return Article._expand_settings, path_to_url, datetime.datetime.now


def _warning(message: str):
    from .model import Warning_

    return Warning_(message)


def _all_generators_finalized(generators) -> None:
    """Every article is final now: when the stories are known already (a warm build), a
    worker starts describing the articles for the page writer (writer.py)."""
    from .generators import DigestGenerator
    from .state import STATE
    from .writer import describe_articles_early

    STATE.mark_phase("queueing pages")
    for generator in generators:
        if isinstance(generator, DigestGenerator) and generator.stories is not None:
            describe_articles_early(generator.all_language_articles(), generator.settings)


def _get_generators(pelican):
    """Pelican asks for generators at the start of every build. Where a build runs
    without ``initialized`` first (`pelican --autoreload` runs the same Pelican object
    again), this runs what ``initialized`` runs: the last build's state is dropped (its
    report: a deleted dump must leave it; its phases, workers and frozen objects), the
    data files are checked again and the pipeline cache is prefilled."""
    from .generators import DigestGenerator
    from .state import STATE

    if STATE.runs:
        _initialized(pelican)
        _prefill_cache(pelican)
    STATE.runs += 1
    return DigestGenerator


def _get_writer(pelican):
    from .writer import get_writer

    return get_writer(pelican)


def _finalized(pelican) -> None:
    """Save the incremental writer's state, then index every edition's article pages
    with Pagefind, so one `pelican content` run gives a complete site (search included).
    A failing index stops the build: a search page that finds nothing must not ship."""
    from . import settings as nd_settings
    from .search import build_search_index
    from .state import STATE, freeze_build_state, resume_collector
    from .writer import finalized

    resume_collector()  # if no article generator ran (_article_pretaxonomy resumes it)
    written = finalized(pelican)
    if nd_settings.get(pelican.settings, "NEWS_DIGEST_SEARCH_INDEX"):
        STATE.mark_phase("search index")
        languages = nd_settings.get(pelican.settings, "NEWS_DIGEST_LANGUAGES")
        build_search_index(pelican.output_path, languages, written)
    STATE.mark_phase("end")
    report_phases(nd_settings.cache_dir(pelican.settings), pelican.output_path)
    freeze_build_state()  # nothing of this build needs collecting before the process ends


def report_phases(cache_dir, output_path) -> None:
    """Log how long each phase of this build took, and keep it beside the page manifest
    (``<cache>/build-phases-<hash of the output path>.json``) for tools such as the
    benchmark: where a large archive's build spends its time, without a profiler."""
    import json

    from .state import STATE

    phases = STATE.phase_seconds()
    if not phases:
        return
    logging.getLogger(__name__).info(
        "news-digest: phases: %s (%.2fs in all)",
        ", ".join(f"{name} {seconds:.2f}s" for name, seconds in phases),
        sum(seconds for _, seconds in phases),
    )
    if cache_dir:
        path = build_phases_path(cache_dir, output_path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps({"phases": phases}, ensure_ascii=False) + "\n", encoding="utf-8")
        except OSError as exc:  # timings are a courtesy: never fail a build over them
            logging.getLogger(__name__).warning("news-digest: cannot write %s: %s", path, exc)


def build_phases_path(cache_dir, output_path):
    """Where :func:`report_phases` keeps a build's phases: one JSON file per output
    directory, beside its page manifest."""
    from .cache import output_state_path

    return output_state_path(cache_dir, "build-phases", output_path).with_suffix(".json")


def register() -> None:
    """Connect news-digest to Pelican's signals (called by Pelican's plugin loader)."""
    from pelican import signals

    signals.initialized.connect(_initialized)
    signals.initialized.connect(_prefill_cache)
    signals.readers_init.connect(_readers_init)
    signals.generator_init.connect(_generator_init)
    signals.article_generator_init.connect(_article_generator_init)
    signals.article_generator_context.connect(_article_context)
    signals.article_generator_pretaxonomy.connect(_article_pretaxonomy)
    signals.get_generators.connect(_get_generators)
    signals.all_generators_finalized.connect(_all_generators_finalized)
    signals.get_writer.connect(_get_writer)
    signals.finalized.connect(_finalized)
