"""Pelican glue: the generator that writes news-digest's own pages in every edition."""

from __future__ import annotations

import datetime as _dt
import logging
import os
import pickle
import time
from collections.abc import Sequence
from pathlib import Path

from jinja2 import pass_context
from markupsafe import Markup
from pelican.generators import Generator

from . import browse
from . import settings as nd_settings
from .editions import Edition, alternates, get_editions
from .feeds import FEED_KINDS, FeedEntry, FeedSpec, feed_key, feed_paths, render_feed
from .rules import load_rules
from .state import STATE, freeze_build_state

logger = logging.getLogger(__name__)


class DigestGenerator(Generator):
    """Writes the pages that are news-digest's own (build report, topic, entity, date, story
    pages …) once per edition, through :meth:`write_page`."""

    #: (language, list name, length, page size) → the URL of each page of that list.
    _page_urls: dict[tuple, list[str]] | None = None

    def generate_context(self):
        STATE.mark_phase("indexes and stories")
        self.editions: list[Edition] = get_editions(nd_settings.get(self.settings, "NEWS_DIGEST_LANGUAGES"))
        self.articles = [a for a in self.context.get("articles", []) if hasattr(a, "digest")]
        self.browse_context()
        # With a background grouping under way (parallel.start_story_grouping) and a writer
        # that queues pages, the stories are looked up only after this generator's other
        # output (lists, report, feeds), so that work overlaps the grouping.
        from .writer import writer_queues_pages

        # A warm build's worker only looked the grouping up and is done by now: the stories
        # are assigned here, so the articles are final when the generators are.
        overlap = not STATE.story_worker_finished() and writer_queues_pages(self.settings)
        self.stories = None if overlap else self.compute_stories()
        freeze_build_state()  # the indexes live until the build ends

    def edition_articles(self, edition: Edition) -> list:
        """The articles of one edition, in the default edition's order (newest first):
        the Vietnamese originals, or their translations in ``edition.lang``."""
        if edition.is_default:
            return list(self.articles)
        out = []
        for article in self.articles:
            out.extend(t for t in getattr(article, "translations", []) if t.lang == edition.lang)
        return out

    def write_page(
        self,
        writer,
        edition: Edition,
        rel: str,
        template: str,
        paginate: list | None = None,
        **context,
    ) -> None:
        """Render ``template`` to ``rel`` (e.g. "report/index.html") in ``edition``.

        Templates get ``page_lang`` (drives gettext), ``edition_prefix`` (for links to
        pages of the same edition) and ``alternates`` (hreflang links and the language
        switcher, pointing at the same page in every edition).

        With ``paginate`` (a list), the page is split like Pelican's index
        (DEFAULT_PAGINATION per page, PAGINATION_PATTERNS): templates get
        ``articles_page``, ``articles_paginator``, ``articles_previous_page`` and
        ``articles_next_page``, and page N's alternates point at page N of every edition.
        """
        if paginate is not None:
            self._write_paginated(writer, edition, rel, template, paginate, **context)
            return
        writer.write_file(
            edition.save_as(rel),
            self.get_template(template),
            self.context,
            relative_urls=self.settings["RELATIVE_URLS"],
            page_lang=edition.lang,
            edition_prefix=edition.prefix,
            alternates=alternates(self.editions, rel),
            **context,
        )

    def _write_paginated(self, writer, edition: Edition, rel: str, template: str, objects: list, **context):
        from pelican.paginator import Paginator

        per_page = (self.settings.get("PAGINATED_TEMPLATES") or {}).get(template) or (
            self.settings.get("DEFAULT_PAGINATION") or None
        )

        def paginator(ed: Edition) -> Paginator:
            return Paginator(ed.save_as(rel), ed.url(rel), objects, self.settings, per_page)

        own = paginator(edition)
        # One Page object per number: page N is also page N+1's "previous" and page N-1's
        # "next", and the writer describes each Page object once.
        pages = [own.page(n) for n in range(1, own.num_pages + 1)]
        # Page N's URL in every edition (its alternates). A page URL depends only on the
        # edition, the list's name, its length and the page size, so each edition's list
        # is worked out once a build, from the Page objects of the call that writes it,
        # instead of paginating every edition again in every edition's call (~0.4 s of
        # a warm 10,000-dump build: 28,000 list pages).
        if self._page_urls is None:
            self._page_urls = {}
        memo = self._page_urls
        own_key = (edition.lang, rel, len(objects), per_page)
        if own_key not in memo:  # (a setdefault would format every URL before looking)
            memo[own_key] = [_page_url(p) for p in pages]
        others = {}
        for ed in self.editions:
            key = (ed.lang, rel, len(objects), per_page)
            if key not in memo:
                other = paginator(ed)
                memo[key] = [_page_url(other.page(n)) for n in range(1, other.num_pages + 1)]
            others[ed.lang] = memo[key]
        for number in range(1, own.num_pages + 1):
            page = pages[number - 1]
            writer.write_file(
                page.save_as,
                self.get_template(template),
                self.context,
                relative_urls=self.settings["RELATIVE_URLS"],
                paginated={},
                page_lang=edition.lang,
                edition_prefix=edition.prefix,
                alternates=[{"lang": lang, "url": urls[number - 1]} for lang, urls in others.items()],
                articles_paginator=own,
                articles_page=page,
                articles_previous_page=pages[number - 2] if number > 1 else None,
                articles_next_page=pages[number] if number < own.num_pages else None,
                **context,
            )

    def generate_output(self, writer):
        if self.stories is None and STATE.story_worker_finished():
            # The background grouping is done (a warm build: it only looked the grouping
            # up), so nothing is gained by waiting until the other output is queued.
            self.stories = self.compute_stories()
        if self.stories is not None and hasattr(writer, "describe_contents_early"):
            # Every article is final now: a worker describes them for the page writer while
            # this process queues the lists, report, feeds and story pages.
            writer.describe_contents_early(self.all_language_articles())
        self.write_listings(writer)
        self.write_report(writer)
        self.write_browse_pages(writer)
        self.write_feeds()
        self.write_search_pages(writer)
        if self.stories is None:
            if getattr(writer, "queue", None) is None:
                # Article pages were rendered already, without their story boxes.
                raise RuntimeError("news-digest: stories were postponed but the writer does not queue pages")
            self.stories = self.compute_stories()
        self.write_stories(writer)

    # ------------------------------------------------------------------ browse pages

    def browse_context(self) -> None:
        """Build the topic, entity and date indexes (one pass each) and give every
        template (article pages included) the vocabularies it links with."""
        rules = load_rules(nd_settings.get(self.settings, "NEWS_DIGEST_DATA_DIR"))
        self.topic_set = rules.topics
        self.gazetteer = rules.entities
        ordered = browse.newest_first(self.articles)
        self.topic_pages = browse.build_topic_index(ordered, self.topic_set)
        self.entity_pages = browse.build_entity_index(ordered, self.gazetteer)
        self.period_index = browse.build_period_index(ordered)
        self.context["nd_topics"] = self.topic_set.by_id
        self.context["nd_entities"] = self.gazetteer.by_id
        self.context["nd_dirs"] = {
            "topics": browse.TOPICS_DIR,
            "entities": browse.ENTITIES_DIR,
            "dates": browse.DATES_DIR,
        }
        self.context["nd_card"] = self.card_renderer()

    def card_renderer(self):
        """``nd_card(article)`` for list templates: an article's card rendered once per
        edition and page depth, then reused. An article sits on about twenty browse pages
        (topics, entities, year, month, day), so list pages would otherwise re-render the
        same card (and recompute Pelican's ``article.url``) twenty times."""
        template = self.env.get_template("partials/article_card.html")
        cache: dict[tuple, Markup] = {}

        @pass_context
        def nd_card(ctx, article) -> Markup:
            # Browse pages list the default edition's articles: in another edition the
            # card shows (and links) that edition's translation of the article.
            lang = ctx.get("page_lang")
            if lang and getattr(article, "lang", lang) != lang:
                article = next((t for t in getattr(article, "translations", []) if t.lang == lang), article)
            key = (id(article), ctx.get("SITEURL"), ctx.get("page_lang"), ctx.get("edition_prefix"))
            html = cache.get(key)
            if html is None:
                html = cache[key] = Markup(template.render({**ctx.get_all(), "article": article}))
            return html

        return nd_card

    def write_list_page(self, writer, edition: Edition, rel: str, template: str, articles, **context):
        """A page listing ``articles``, split into pages by Pelican's paginator
        (``PAGINATED_TEMPLATES[template]`` or DEFAULT_PAGINATION per page); page N's
        alternates point at page N of every edition."""
        self.write_page(writer, edition, rel, template, paginate=articles, **context)

    def write_browse_pages(self, writer) -> None:
        """Topic, entity and date pages, in every edition."""
        groups = browse.group_by_type(self.entity_pages)
        for edition in self.editions:
            self.write_page(
                writer, edition, f"{browse.TOPICS_DIR}/index.html", "topics", topic_pages=self.topic_pages
            )
            for tp in self.topic_pages:
                self.write_list_page(
                    writer,
                    edition,
                    tp.rel,
                    "topic",
                    tp.articles,
                    topic=tp.topic,
                    feed_topic=tp.topic.slug,
                    feed_topic_label=tp.topic.display_name(edition.lang),
                )
            self.write_page(
                writer, edition, f"{browse.ENTITIES_DIR}/index.html", "entities", entity_groups=groups
            )
            for ep in self.entity_pages:
                self.write_list_page(
                    writer, edition, ep.rel, "entity", ep.articles, entity=ep.entity, entity_page=ep
                )
            self.write_page(
                writer, edition, f"{browse.DATES_DIR}/index.html", "dates", period_index=self.period_index
            )
            for period in self.period_index.all_periods():
                self.write_list_page(writer, edition, period.rel, "period", period.articles, period=period)
            self.write_list_page(
                writer, edition, browse.period_rel(None), "period", self.period_index.undated, period=None
            )

    def write_listings(self, writer) -> None:
        """Home (paginated) and archives of every edition."""
        for edition in self.editions:
            articles = self.edition_articles(edition)
            self.write_page(writer, edition, "index.html", "index", paginate=articles, articles=articles)
            newest_first = self.settings.get("NEWEST_FIRST_ARCHIVES", True)
            dates = sorted(articles, key=lambda a: a.date, reverse=newest_first)
            self.write_page(
                writer, edition, "archives/index.html", "archives", dates=dates, articles=articles
            )

    # ----------------------------------------------------------------- stories

    def compute_stories(self) -> list:
        """Group the articles into stories once per build (stories.py) and give every
        member article (and its translations) ``digest_story``: the link to its story
        page and the other outlets' articles, in the article's own edition."""
        from .cache import stored_or_grouped_stories, stories_digests_id
        from .parallel import configured_workers
        from .stories import StorySettings, story_inputs_from_articles

        story_settings = StorySettings.from_settings(self.settings)
        # Grouping is global (TF-IDF over the corpus) and costs seconds per 10,000
        # articles: reuse the last build's when nothing it reads has changed. First by
        # the pipeline results the inputs come from (a hash of 10,000 cache keys), then
        # by the inputs themselves (their text hashed: the stories' own key).
        digests_id = stories_digests_id(
            ((a.digest.source, a.metadata.get("digest_key", "")) for a in self.articles), story_settings
        )
        # A cold build waits for the background grouping here: the time to pack the
        # digests it read for the next build (cache.DigestPack).
        write_digest_pack()
        STATE.wait_story_worker()
        stories = stored_or_grouped_stories(
            nd_settings.cache_dir(self.settings),
            digests_id,
            # Sorted by id: the grouping and its key do not depend on Pelican's article
            # order, so the background worker (parallel.start_story_grouping) computes
            # the same key.
            lambda: sorted(story_inputs_from_articles([a.digest for a in self.articles]), key=lambda i: i.id),
            story_settings,
            configured_workers(self.settings),
        )
        by_source = {a.digest.source: a for a in self.articles}
        box_size = story_box_size(self.settings)
        self._story_entries: dict[tuple[int, str], dict] = {}
        for story in stories:
            members = [by_source[m.id] for m in story.members]
            # lang → (story page URL, every member as that edition shows it); a member's
            # box lists the others: that one list without its own entry.
            shown: dict[str, tuple[str, list[dict]]] = {}
            for i, article in enumerate(members):
                for version in [article, *getattr(article, "translations", [])]:
                    edition = self._edition_of(version)
                    if edition.lang not in shown:
                        shown[edition.lang] = (
                            edition.url(f"stories/{story.slug}/index.html"),
                            [self._story_article(member, edition) for member in members],
                        )
                    url, entries = shown[edition.lang]
                    version.digest_story = {
                        "slug": story.slug,
                        "url": url,
                        "others": StoryOthers(entries, i, box_size),
                    }
        self.context["digest_stories"] = stories
        logger.info(
            "news-digest: %d stories covering %d of %d articles",
            len(stories),
            sum(len(s.members) for s in stories),
            len(self.articles),
        )
        return stories

    def _edition_of(self, article) -> Edition:
        lang = getattr(article, "lang", None)
        return next((e for e in self.editions if e.lang == lang), self.editions[0])

    @staticmethod
    def _in_edition(article, edition: Edition):
        """The article's version in an edition's language (its translation), or None."""
        if getattr(article, "lang", None) == edition.lang:
            return article
        return next(
            (t for t in getattr(article, "translations", []) if getattr(t, "lang", None) == edition.lang),
            None,
        )

    def _story_article(self, article, edition: Edition) -> dict:
        """What a story page (or an article's "also covered by") shows of one article in
        one edition: its translated title and page when there is one, else the original.

        Computed once per article and edition (a story of k articles shows each member
        on 2k pages and boxes) and shared: callers must not modify the dict."""
        key = (id(article), edition.lang)
        cached = self._story_entries.get(key)
        if cached is not None:
            return cached
        version = self._in_edition(article, edition)
        shown = version or article
        # An untranslated version's title is a glossary placeholder, not a headline: show
        # the original headline (marked with its language) and link the edition's page.
        titled = article if getattr(shown, "provenance", None) == "none" else shown
        outlet = article.digest.meta.outlet
        date = article.digest.meta.date.value
        entry = self._story_entries[key] = {
            "title": titled.title,
            "url": article_url(shown),
            "lang": getattr(titled, "lang", None) or self.editions[0].lang,
            "outlet": outlet.name_en if edition.lang == "en" else outlet.name,
            "date": date,
        }
        return entry

    def write_stories(self, writer) -> None:
        """One page per story (at least two articles) in every edition, and a list of
        them at stories/."""
        by_source = {a.digest.source: a for a in self.articles}
        listing: dict[str, list[dict]] = {e.lang: [] for e in self.editions}
        for story in self.stories:
            for edition in self.editions:
                members = []
                for m in story.members:
                    entry = dict(self._story_article(by_source[m.id], edition))
                    entry.update(central=m.id == story.central, adds=m.adds)
                    members.append(entry)
                central = next(e for e in members if e["central"])
                page = {
                    "slug": story.slug,
                    "url": edition.url(f"stories/{story.slug}/index.html"),
                    "title": central["title"],
                    "title_lang": central["lang"],
                    "outlets": list(dict.fromkeys(e["outlet"] for e in members)),
                    "members": members,
                    "date": story.dates[0] if story.dates else None,
                    "count": len(members),
                }
                self.write_page(writer, edition, f"stories/{story.slug}/index.html", "story", story=page)
                listing[edition.lang].append(page)
        for edition in self.editions:
            stories = sorted(listing[edition.lang], key=lambda p: (p["date"] or "", p["slug"]), reverse=True)
            self.write_page(writer, edition, "stories/index.html", "stories", stories=stories)

    def write_search_pages(self, writer) -> None:
        """search/ in every edition: Pagefind's UI over that edition's own index."""
        for edition in self.editions:
            self.write_page(writer, edition, "search/index.html", "search", bundle="pagefind/")

    def write_report(self, writer) -> None:
        report = STATE.report
        report.account_for_all(self.path)
        report_dir = nd_settings.get(self.settings, "NEWS_DIGEST_REPORT_DIR").strip("/")
        counts = report.counts()
        entries = report.sorted_entries()  # one list: the writer describes it once
        for edition in self.editions:
            self.write_page(
                writer,
                edition,
                f"{report_dir}/index.html",
                "report",
                entries=entries,
                counts=counts,
                report_json=f"{report_dir}/report.json",
            )
        self.write_report_json(report, Path(self.output_path) / report_dir / "report.json")
        logger.info(
            "news-digest: %d inputs: %d published, %d with warnings, %d rejected, %d other",
            counts["total"],
            counts["published"],
            counts["published-with-warnings"],
            counts["rejected"],
            counts["used"] + counts["ignored"],
        )

    def write_report_json(self, report, out: Path) -> None:
        """Write ``report.json`` unless the file is there and the report has not changed.

        Encoding 10,000 entries took 0.3 – 0.5 s of a warm build (and a 12 MB write); the
        report's key (:meth:`BuildReport.key`, ~0.1 s) says whether the file on disk is
        this report. Its key is kept like the feeds' (:meth:`take_output_keys`); a report
        without a key is always written and leaves no key."""
        from .cache import write_pickle_atomically

        state, previous = self.take_output_keys("report")
        key = report.key()
        if key is None or previous.get(out.name) != key or not out.is_file():
            os.makedirs(out.parent, exist_ok=True)
            out.write_text(report.to_json(), encoding="utf-8")
        if state is not None and key is not None:
            write_pickle_atomically(state, {out.name: key})

    def take_output_keys(self, kind: str) -> tuple[Path | None, dict[str, str]]:
        """The keys of the ``kind`` files (feeds, report) the last build wrote into this
        output directory, by file, and where they are kept (None without a cache
        directory). The kept state is removed here and saved again by the caller after
        the last file is written, so a build that stops half-way never leaves a key for
        a file it replaced."""
        from .cache import output_state_path

        cache_dir = nd_settings.cache_dir(self.settings)
        if not cache_dir:
            return None, {}
        state = output_state_path(cache_dir, kind, self.output_path)
        try:
            previous = pickle.loads(state.read_bytes())
        except Exception:
            previous = {}
        state.unlink(missing_ok=True)
        return state, previous if isinstance(previous, dict) else {}

    # -- feeds -----------------------------------------------------------------------------

    def all_language_articles(self) -> list:
        """Every published article in every language: originals and their translations."""
        originals = list(self.context.get("articles", []))
        seen: set[int] = set()
        out = []
        for article in originals + [t for a in originals for t in getattr(a, "translations", [])]:
            if id(article) not in seen:
                seen.add(id(article))
                out.append(article)
        return out

    def site_name(self, lang: str) -> str:
        name = self.settings.get("SITENAME", "")
        if lang != self.editions[0].lang:
            name = self.settings.get(f"SITENAME_{lang.upper()}", name)
        return name

    def topic_feed_key(self, topic_id: str, lang: str) -> tuple[str, str] | None:
        """(slug, name in ``lang``) of a topic for its feeds: the same slug as its page."""
        topic = self.topic_set.by_id.get(topic_id)
        return (topic.slug, topic.display_name(lang)) if topic else None

    def feed_entry(self, article, digests_by_key: dict) -> FeedEntry | None:
        """The feed entry of one article (any language), or None if it is undated or not ours."""
        from zoneinfo import ZoneInfo

        from markupsafe import Markup

        from .render import summary_text

        digest = getattr(article, "digest", None) or digests_by_key.get(
            getattr(article, "translation_key", None)
        )
        if digest is None or not digest.meta.date.value:
            return None
        lang = getattr(article, "lang", None) or self.editions[0].lang
        default = lang == self.editions[0].lang
        tz = ZoneInfo(nd_settings.get(self.settings, "NEWS_DIGEST_TIMEZONE"))
        published = _dt.datetime.combine(_dt.date.fromisoformat(digest.meta.date.value), _dt.time(), tz)
        outlet = digest.meta.outlet
        if default and getattr(article, "digest", None) is not None:
            summary = summary_text(digest)
        else:  # a translation's summary may be HTML (e.g. read from Markdown)
            summary = Markup(getattr(article, "summary", "") or "").striptags()
        topics = [k for k in (self.topic_feed_key(t.id, lang) for t in digest.topics) if k]
        return FeedEntry(
            title=str(article.title),
            url=article_url(article),
            published=published,
            summary=summary,
            lang=lang,
            outlet_id=outlet.id,
            outlet_name=outlet.name if default else (outlet.name_en or outlet.name),
            uid=f"tag:news-digest,2024:{lang}/{article.slug}",
            topics=topics,
            provenance=None if default else translation_provenance(article),
        )

    def feed_specs(self) -> list[FeedSpec]:
        """Every feed of the site: all languages, each edition, each topic per edition.

        With ``FEED_MAX_ITEMS`` a spec holds only the entries its feed shows (the newest,
        in :func:`feeds.sort_entries` order): articles are ordered once by that key, and a
        feed entry (summary, outlet, topics) is made only for articles some feed shows,
        not for all 20,000 of a 10,000-dump site."""
        articles = self.all_language_articles()
        digests_by_key = {
            getattr(a, "translation_key", None): a.digest for a in articles if hasattr(a, "digest")
        }
        max_items = self.settings.get("FEED_MAX_ITEMS") or None
        made: dict[int, FeedEntry | None] = {}

        def entry(article) -> FeedEntry | None:
            if id(article) not in made:
                made[id(article)] = self.feed_entry(article, digests_by_key)
            return made[id(article)]

        # (sort key, article, language, topic slugs) of every dated article, newest first
        ordered = []
        # A topic's feeds take the slug of its page (topic_feed_key), whatever the language.
        topic_slugs = {topic_id: topic.slug for topic_id, topic in self.topic_set.by_id.items()}
        for article in articles:
            digest = getattr(article, "digest", None) or digests_by_key.get(
                getattr(article, "translation_key", None)
            )
            if digest is None or not digest.meta.date.value:
                continue  # feed_entry leaves it out
            day = _dt.date.fromisoformat(digest.meta.date.value)
            key = (-day.toordinal(), str(article.title), article_url(article))
            lang = getattr(article, "lang", None) or self.editions[0].lang
            slugs = {topic_slugs[t.id] for t in digest.topics if t.id in topic_slugs}
            ordered.append((key, article, lang, slugs))
        ordered.sort(key=lambda row: row[0])

        def newest(rows) -> list[FeedEntry]:
            shown = []
            for row in rows:
                if max_items and len(shown) >= max_items:
                    break
                e = entry(row[1])
                if e is not None:
                    shown.append(e)
            return shown

        both = " · ".join(self.site_name(e.lang) for e in self.editions)
        everything = newest(ordered)
        specs = [
            FeedSpec(path, kind, both, None, "", everything) for kind, path in feed_paths("", "all").items()
        ]
        for edition in self.editions:
            mine = [row for row in ordered if row[2] == edition.lang]
            in_edition = newest(mine)
            name = self.site_name(edition.lang)
            home = edition.url("index.html")
            for kind, path in feed_paths(edition.prefix, edition.lang).items():
                specs.append(FeedSpec(path, kind, name, edition.lang, home, in_edition))
            # One feed per topic page (even when its articles are all undated), so a topic
            # page's feed links always resolve.
            # Each topic's rows, newest first, in one pass (not one scan of the edition's
            # rows per topic: ~0.25 s of a warm 10,000-dump build, profiled).
            by_topic: dict[str, list] = {}
            for row in mine:
                for slug in row[3]:
                    by_topic.setdefault(slug, []).append(row)
            topics = [(tp.topic.slug, tp.topic.display_name(edition.lang)) for tp in self.topic_pages]
            for slug, label in topics:
                in_topic = newest(by_topic.get(slug, []))
                for kind, path in feed_paths(edition.prefix, f"topics/{slug}").items():
                    specs.append(FeedSpec(path, kind, f"{name} — {label}", edition.lang, home, in_topic))
        return specs

    def write_feeds(self) -> None:
        """Write every feed whose content changed since the last build (or is missing).

        A feed file is a function of its spec, SITEURL, FEED_MAX_ITEMS and the code
        (:func:`feeds.feed_key`); the keys of the files written are kept beside the page
        manifest. That state is removed before any feed is written and saved after the
        last, so a build that stops half-way never leaves a key for a file it replaced."""
        from .cache import write_pickle_atomically

        siteurl = "" if self.settings.get("RELATIVE_URLS") else self.settings.get("SITEURL", "")
        max_items = self.settings.get("FEED_MAX_ITEMS")
        specs = self.feed_specs()
        state, previous = self.take_output_keys("feeds")
        current: dict[str, str] = {}
        written = 0
        for spec in specs:
            out = Path(self.output_path) / spec.path
            key = current[spec.path] = feed_key(spec, siteurl, max_items)
            if previous.get(spec.path) == key and out.is_file():
                continue
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(render_feed(spec, siteurl, max_items), encoding="utf-8")
            written += 1
        if state is not None:
            write_pickle_atomically(state, current)
        logger.info(
            "news-digest: %d feeds (%s), %d written, %d unchanged",
            len(specs),
            "/".join(FEED_KINDS),
            written,
            len(specs) - written,
        )


def story_box_size(settings: dict) -> int | None:
    """NEWS_DIGEST_STORY_BOX_SIZE: a whole number ≥ 0, or None for no limit."""
    value = nd_settings.get(settings, "NEWS_DIGEST_STORY_BOX_SIZE")
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
        raise ValueError(f"NEWS_DIGEST_STORY_BOX_SIZE must be a whole number ≥ 0 or None, got {value!r}")
    return value


class StoryOthers(Sequence):
    """The other articles of a story, as one member's "also covered by" box shows them:
    the story's entries in one edition (in story order, by date) without the member's own,
    at most ``limit`` of them: those nearest the member in that order. ``more`` counts the
    others the box leaves to the story page.

    A view, not a copy: a story of k articles has 2k boxes, and the page writer describes
    each box by the shared list (hashed once per story and edition), the member's index
    and the limit (``fingerprint_view``) instead of its entries. The limit matters for
    speed as much as for readers: 2k boxes of k - 1 entries grow with k² (the largest
    story of a generated 10,000-dump corpus has 416 articles)."""

    __slots__ = ("entries", "index", "limit", "_start", "_stop")

    def __init__(self, entries: list[dict], index: int, limit: int | None = None):
        self.entries = entries
        self.index = index
        self.limit = limit
        others = len(entries) - 1
        shown = others if limit is None else max(0, min(limit, others))
        # A window of shown + 1 consecutive entries holding the member's own, centred on
        # it where the list allows (more after it when ``shown`` is odd).
        self._start = max(0, min(index - shown // 2, others - shown))
        self._stop = self._start + shown + 1

    def __len__(self) -> int:
        return self._stop - self._start - 1

    def __getitem__(self, i):
        return list(self)[i]

    def __iter__(self):
        return (
            e for j, e in enumerate(self.entries[self._start : self._stop], self._start) if j != self.index
        )

    @property
    def more(self) -> int:
        """Other articles of the story the box does not list."""
        return len(self.entries) - 1 - len(self)

    def __repr__(self) -> str:
        return f"StoryOthers({list(self)!r}, more={self.more})"

    def fingerprint_view(self) -> tuple[list[dict], int, int | None]:
        return self.entries, self.index, self.limit


def translation_provenance(article) -> str:
    """human / machine / none for a translated article, whichever attribute carries it
    (``translation_provenance`` or ``provenance`` metadata, or the translation object);
    "none" when nothing says it was translated: a feed never claims a translation."""
    for value in (
        getattr(article, "translation_provenance", None),
        getattr(article, "provenance", None),
        getattr(getattr(article, "digest_translation", None), "provenance", None),
    ):
        if value in ("human", "machine", "none"):
            return value
    return "none"


def _shorten(text: str, max_chars: int = 280) -> str:
    """A card summary cut at a word boundary, like the Vietnamese ``summary_text``."""
    if len(text) <= max_chars:
        return text
    return text[:max_chars].rsplit(" ", 1)[0] + " …"


def _page_url(page) -> str:
    url = page.url
    return url[: -len("index.html")] if url.endswith("index.html") else url


# --- English edition of articles (issue 6) -------------------------------------------
# English articles are Pelican Article objects (lang "en", same slug and translation_key
# as the Vietnamese one) added to the ArticlesGenerator's ``translations``: Pelican writes
# them at ARTICLE_LANG_SAVE_AS and links them through ``article.translations``.


def load_sidecars(content_dir: str | os.PathLike, translations_dir: str):
    """Read and parse every ``<stem>.en.md`` under the translations directory.

    Returns ({stem: Sidecar}, [ReportEntry for unusable files]). Parsing is pure
    (translate.sidecar.parse_sidecar); only the file reading is here.
    """
    from .report import REJECTED, ReportEntry
    from .translate import SidecarError, parse_sidecar
    from .translate.sidecar import stem_of

    root = Path(content_dir)
    base = root / translations_dir
    sidecars, problems = {}, []
    if not base.is_dir():
        return sidecars, problems
    for path in sorted(base.rglob("*.md")):
        rel = path.relative_to(root).as_posix()
        if stem_of(path.name) is None:
            continue  # not ours: the report lists it as ignored
        try:
            raw = path.read_bytes()
            sidecar = parse_sidecar(raw.decode("utf-8"), rel)
        except UnicodeDecodeError:
            problems.append(ReportEntry(rel, "translation", REJECTED, "not UTF-8 text"))
            continue
        except SidecarError as exc:
            problems.append(ReportEntry(rel, "translation", REJECTED, str(exc)))
            continue
        sidecars[sidecar.stem] = sidecar
    return sidecars, problems


def build_translation_chain(settings: dict, content_dir: str, rules):
    """The chain for this build: sidecars, then the MT model if set, then the glossary."""
    from .translate import (
        Glossary,
        GlossaryTranslator,
        ModelTranslator,
        SidecarTranslator,
        TranslationChain,
    )

    sidecars, problems = load_sidecars(content_dir, nd_settings.get(settings, "NEWS_DIGEST_TRANSLATIONS_DIR"))
    translators = [SidecarTranslator(sidecars)]
    model_dir = nd_settings.get(settings, "NEWS_DIGEST_MT_MODEL")
    if model_dir:
        translators.append(ModelTranslator(model_dir))
    translators.append(
        GlossaryTranslator(Glossary.from_yaml_docs(rules.raw.get("topics"), rules.raw.get("entities")))
    )
    return TranslationChain(translators), sidecars, problems


def locale_date(date, lang: str) -> str:
    """A publication date in the page's language: "1 tháng 6, 2023" / "June 1, 2023"."""
    from .i18n import format_day

    return format_day(date, lang)


class GlossaryMemo:
    """The glossary summaries of earlier builds, by the digest's cache key
    (``<cache>/glossary-summaries.pickle``).

    A glossary summary is a pure function of the digest and the data files, and a cache
    key names both (and the code), so a warm build takes 10,000 summaries from one file
    instead of composing them again (~0.5 s). Only the glossary is memoized: sidecars
    and a model are asked first, every build. The file is rewritten when more than a
    tenth of the summaries were made anew (one changed dump does not rewrite it)."""

    FILE_NAME = "glossary-summaries.pickle"

    def __init__(self, directory: str | os.PathLike | None):
        from .cache import code_version, read_versioned_dict

        self.path = Path(directory) / self.FILE_NAME if directory else None
        self.version = code_version()
        self.entries: dict = read_versioned_dict(self.path, self.version)
        self.used: set[str] = set()
        self.made = 0
        self.key = ""  # the cache key of the digest being translated (set by the caller)

    def wrap(self, glossary):
        memo = self

        class MemoizedGlossary:
            name = glossary.name

            def translate(self, article):
                key = memo.key
                if key and key in memo.entries:
                    memo.used.add(key)
                    return memo.entries[key]
                result = glossary.translate(article)
                if key and result is not None:
                    memo.entries[key] = result
                    memo.used.add(key)
                    memo.made += 1
                return result

        return MemoizedGlossary()

    def save(self) -> None:
        if self.path is None or self.made <= 0.1 * max(1, len(self.used)):
            return
        from .cache import write_pickle_atomically

        try:
            write_pickle_atomically(self.path, (self.version, {k: self.entries[k] for k in self.used}))
        except OSError:
            pass  # only the next build's shortcut is lost


#: Digests whose packed lines are larger than this are left out of the digest pack.
MAX_PACKED_DIGEST_BYTES = 1024 * 1024


def _packs_small(digest) -> bool:
    packed = digest.__dict__.get("_packed_lines")
    return packed is not None and len(packed) <= MAX_PACKED_DIGEST_BYTES


def write_digest_pack() -> None:
    """Store the digests this build read as the next build's pack, when the pack on disk
    has fallen behind (:meth:`cache.DigestPack.stale`); once per build."""
    pack, loaded = STATE.digest_pack, STATE.loaded_digests
    STATE.loaded_digests = {}  # the build works on copies: let these go once packed
    if pack is None or not loaded or not pack.stale(len(loaded)):
        return
    start = time.perf_counter()
    # Only digests still packed as loaded and of ordinary size: the pack saves opening a
    # file per digest, nothing for a digest of megabytes, whose texts it would copy.
    packable = {key: digest for key, digest in loaded.items() if _packs_small(digest)}
    try:
        pack.write(packable)
    except OSError as exc:  # only the next build's shortcut is lost
        logger.warning("news-digest: cannot write the digest pack %s: %s", pack.path, exc)
        return
    logger.info("news-digest: %d digests packed in %.2fs", len(packable), time.perf_counter() - start)


def article_url(article) -> str:
    """``article.url``, formatted once per slug and language.

    Pelican formats the URL anew on every access (~40 µs under the profiler: a metadata
    copy and a relative source path), and a 10,000-dump build asked for each article's URL
    about seven times (report, alternates, stories, feeds; 137,586 calls profiled). The memo lives on the article and is keyed by
    what can change it during a build, so a renamed slug never serves the old URL."""
    key = (article.slug, getattr(article, "lang", None))
    memo = article.__dict__.get("_nd_url")
    if memo is None or memo[0] != key:
        memo = article._nd_url = (key, article.url)
    return memo[1]


def add_english_articles(generator) -> None:
    """Create the English counterpart of every news-digest article (after unique slugs)."""
    from pelican.contents import Article

    from . import fix_article_urls
    from .render import paragraphs_html
    from .report import IGNORED, REJECTED, USED, ReportEntry
    from .rules import load_rules

    settings = generator.settings
    languages = nd_settings.get(settings, "NEWS_DIGEST_LANGUAGES")
    originals = [a for a in generator.articles if hasattr(a, "digest")]
    for article in originals:
        if not article.undated:
            article.locale_date = locale_date(article.date, article.lang)
    if "en" not in languages[1:]:
        return
    rules = load_rules(nd_settings.get(settings, "NEWS_DIGEST_DATA_DIR"))
    chain, sidecars, problems = build_translation_chain(settings, generator.path, rules)
    for entry in problems:
        STATE.report.add(entry)
    summaries = GlossaryMemo(nd_settings.cache_dir(settings))
    chain.translators = [summaries.wrap(t) if t.name == "glossary" else t for t in chain.translators]
    by_stem = {}
    for article in originals:
        digest = article.digest
        summaries.key = article.metadata.get("digest_key", "")
        translation = chain.translate(digest)
        by_stem.setdefault(digest.stem, []).append(article)
        has_text = translation.provenance != "none" and translation.paragraphs
        summary = _shorten(translation.paragraphs[0]) if has_text else ""
        metadata = {
            "title": translation.title,
            "slug": article.slug,
            "date": article.date,
            "lang": "en",
            "translation_key": article.translation_key,
            "summary": summary,
            "digest": digest,
            "undated": article.undated,
            "digest_key": article.metadata.get("digest_key", ""),
            "digest_translation": translation,  # not "translation": Pelican reads that key
            "provenance": translation.provenance,
        }
        content = translation.html or paragraphs_html(translation.paragraphs)
        english = Article(
            content, metadata, settings=settings, source_path=article.source_path, context=generator.context
        )
        if not english.undated:
            english.locale_date = locale_date(english.date, "en")
        fix_article_urls([english])
        english.translations = [article]
        article.translations = [t for t in article.translations if t.lang != "en"] + [english]
        generator.translations.append(english)
    summaries.save()
    for article in originals:
        for version in [article, *article.translations]:
            version.alternates = article_alternates(version, languages)
    for stem, sidecar in sidecars.items():
        if stem in by_stem:
            art = by_stem[stem][0]
            STATE.report.add(
                ReportEntry(
                    sidecar.path,
                    "translation",
                    USED,
                    f"human translation of {art.digest.source}",
                    title=sidecar.title,
                    url=article_url(art.translations[-1]),
                )
            )
        else:
            STATE.report.add(
                ReportEntry(
                    sidecar.path,
                    "translation",
                    IGNORED,
                    f"names no published dump: no dump with stem {stem!r}",
                )
            )
    for name, message in chain.errors.items():
        source = f"NEWS_DIGEST_MT_MODEL={nd_settings.get(settings, 'NEWS_DIGEST_MT_MODEL')}"
        STATE.report.add(ReportEntry(source, "model", REJECTED, f"{name} translator disabled: {message}"))


def article_alternates(article, languages: list[str]) -> list[dict[str, str]]:
    """hreflang alternates of an article page: itself and its translations, edition order."""
    versions = {a.lang: a for a in [article, *getattr(article, "translations", [])]}
    return [{"lang": lang, "url": article_url(versions[lang])} for lang in languages if lang in versions]
