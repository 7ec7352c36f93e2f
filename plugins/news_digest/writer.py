"""Pelican glue: a writer that skips re-rendering pages whose inputs did not change.

Pelican renders and writes every page on every build, even when its content cache spared
the reading. On a 10,000-dump site that makes a one-dump change cost most of a full build.
:class:`SkipUnchangedWriter` (installed through Pelican's ``get_writer`` signal) keeps a
manifest of one fingerprint per page and skips a page when

- the page file still exists in the output directory, and
- its fingerprint is the one recorded by the previous build.

A page's fingerprint hashes the *static fingerprint* (code version, data files' version,
theme files, simple settings), the output name, the writer options, the template, and a
description of every variable that the template (with what it extends, includes and
imports; found with ``jinja2.meta``) reads from its context. An article is described by
everything templates can show of it: its text, metadata, digest, the attributes the plugin
sets (story, translation, alternates, dates) and its translations' link entries. So a
change of one article re-renders its own pages, the story pages and "also covered by"
boxes that show it, and the list pages it is listed on; nothing else.

Objects may say what templates show of them with a ``fingerprint_view()`` method (a date
period shows its counts, not its articles: list pages read their articles from the
paginated ``articles_page``). A page is always rendered when a variable it reads is of a
kind this module does not understand, when a template is chosen at render time, or when
Pelican paginates it. Functions handed to templates are treated as code: their output is
a function of their arguments. Skipped pages still send ``content_written``.

Pages are rendered on every core (``NEWS_DIGEST_WORKERS``, default all). Pelican calls
``write_file`` one page at a time from each generator; the writer only queues the call, and
when the last generator is done (``finalized``) :meth:`SkipUnchangedWriter.flush` forks
workers that share the finished build state copy-on-write: each fingerprints and renders
its share of the pages (by a hash of the shown article's source file, else of the output
name, so one name always lands in one process and Pelican's overwrite checks still hold),
and sends back its manifest entries.
No page is pickled, so any template variable works. Rendering is a pure function of the
page's context, so the output is byte-identical to the serial path (a test checks it);
``content_written`` is sent in the parent for every page, as in a serial build. Without
``os.fork`` (Windows) or for a small site, pages are rendered serially.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import functools
import hashlib
import logging
import marshal
import os
import pickle
import select
import sys
import time
import traceback
import zlib
from pathlib import Path

from jinja2 import meta as jinja_meta
from pelican import signals
from pelican.contents import Content
from pelican.paginator import Page, Paginator
from pelican.urlwrappers import URLWrapper
from pelican.writers import Writer

from . import settings as nd_settings
from .cache import code_version, output_state_path, read_versioned_dict, write_pickle_atomically
from .forks import fork_with_result_file
from .state import STATE, freeze_build_state

logger = logging.getLogger(__name__)

#: Writer.write_file's own parameters (not template variables).
_WRITER_PARAMS = {"relative_urls", "paginated", "template_name", "override_output", "url"}
_SIMPLE = (str, int, float, bool, type(None))

#: Attributes of a content object that are not part of its description: the shared
#: context and settings (covered by the static fingerprint and the template variables),
#: and what is described separately (text, metadata, digest, translations).
_CONTENT_SKIP = {
    "_context",
    "settings",
    "_content",
    "metadata",
    "digest",
    "translations",
    "_summary",
    "signal",
    # generators.article_url's memo: derived from the slug, language and settings (all
    # described), and set whenever a URL is first asked for, which must not change the
    # description of an article between two points of a build.
    "_nd_url",
}

#: Settings that cannot change a page's bytes (how many processes render them), so a
#: different value does not re-render the site.
_OUTPUT_NEUTRAL_SETTINGS = {"NEWS_DIGEST_WORKERS"}

#: What :meth:`SkipUnchangedWriter.describe` returns for a value it cannot describe.
_UNKNOWN = object()

#: Fewer queued pages than this per extra process are rendered serially: a fork and the
#: copy-on-write faults that follow cost more than a few dozen pages (test sites never fork).
MIN_PAGES_PER_WORKER = 150

_active: list[SkipUnchangedWriter] = []
#: A describing worker started before Pelican created the writer (describe_articles_early):
#: (pid, result file, objects, write end of its stop pipe); the writer takes it over.
_early_started: list[tuple[int, str, list, int]] = []


def _h(*parts: object) -> str:
    """sha256 of descriptions (nested tuples and lists of str, int, float, bool, None,
    bytes), serialised by ``marshal`` format 0: about three times faster than their repr,
    and the same bytes for equal values (format 0 has no object references and no
    interned-string marker, so how a string was made does not show). Anything else is
    hashed by its repr."""
    h = hashlib.sha256()
    for part in parts:
        if isinstance(part, bytes):
            h.update(part)
        else:
            try:
                h.update(marshal.dumps(part, 0))
            except ValueError:  # not marshallable: a type descriptions do not contain
                h.update(b"repr:" + repr(part).encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    return h.hexdigest()


def _text_hash(text: object) -> object:
    """A long text (an article's HTML) by its sha256: hashing its UTF-8 bytes costs a tenth
    of the repr that describing it inside a tuple would build (profiled: ~1 s of 20,000
    article descriptions)."""
    if isinstance(text, str):
        return ("sha256", hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest())
    return text


def _digest_without_lines(digest) -> bytes:
    """The digest minus its lines and dump hash, as deterministic bytes (its repr).

    repr, not pickle: two equal objects can pickle differently (shared sub-objects
    differ between a freshly computed digest and one loaded from the cache).
    """
    if digest is None:
        return b""
    return repr(dataclasses.replace(digest, lines=[], sha256="")).encode("utf-8", "surrogatepass")


@functools.cache
def _repr_is_complete(cls: type) -> bool:
    """True for a dataclass whose generated repr shows every field that is an input (fields
    left out of the repr are ones computed in __post_init__ from the others)."""
    params = getattr(cls, "__dataclass_params__", None)
    if params is None or not params.repr:
        return False
    return all(f.repr or not f.init for f in dataclasses.fields(cls))


@functools.cache
def _shown_fields(cls: type) -> tuple[str, ...]:
    """The fields a dataclass's generated repr shows, in its order."""
    return tuple(f.name for f in dataclasses.fields(cls) if f.repr)


def _plain_values(value, names: tuple[str, ...]) -> list | None:
    """The values of fields ``names`` of ``value`` when each is a plain value or a list or
    tuple of plain values (then they describe it exactly, as its repr would), else None."""
    values = []
    for name in names:
        field_value = getattr(value, name)
        if not isinstance(field_value, _SIMPLE) and not (
            type(field_value) in (list, tuple) and all(isinstance(v, _SIMPLE) for v in field_value)
        ):
            return None
        values.append(field_value)
    return values


def _link_entry(article) -> tuple:
    """What another page may show of ``article``: everything but its text.

    Its URL is not computed (Pelican's ``url_format`` costs ~0.1 ms a call): it is a
    function of the settings (in the site fingerprint), the slug, language, date,
    category and metadata overrides, which are all here.
    """
    metadata = getattr(article, "metadata", {})
    return (
        getattr(article, "source_path", ""),
        getattr(article, "slug", ""),
        getattr(article, "title", ""),
        str(getattr(article, "date", "")),
        getattr(article, "lang", ""),
        str(getattr(article, "category", "")),
        str(metadata.get("summary", "")),
        str(metadata.get("url", "")),
        str(metadata.get("save_as", "")),
        sorted((t.slug, t.lang, t.source_path) for t in getattr(article, "translations", [])),
    )


def _source_hash(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest()


def _read_template_tree(env, name: str) -> tuple[tuple[tuple[str, str], ...], frozenset[str]]:
    """Parse template ``name`` and every template it references: the (name, source hash)
    of each, and the variables they read from the context. Raises LookupError when a
    referenced template is chosen at render time."""
    names: set[str] = set()
    sources: dict[str, str] = {}
    todo = [name]
    while todo:
        current = todo.pop()
        if current in sources:
            continue
        source = env.loader.get_source(env, current)[0]
        sources[current] = _source_hash(source)
        ast = env.parse(source)
        names |= jinja_meta.find_undeclared_variables(ast)
        for ref in jinja_meta.find_referenced_templates(ast):
            if ref is None:
                raise LookupError("dynamic template reference")
            todo.append(ref)
    return tuple(sorted(sources.items())), frozenset(names)


def _sources_unchanged(env, sources: tuple[tuple[str, str], ...]) -> bool:
    """Whether every template in ``sources`` still loads with the same source hash."""
    try:
        return all(_source_hash(env.loader.get_source(env, name)[0]) == sha for name, sha in sources)
    except Exception:
        return False


def _theme_fingerprint(theme: str) -> str:
    h = hashlib.sha256()
    root = Path(theme)
    for path in sorted(root.rglob("*")) if root.is_dir() else []:
        if path.is_file():
            h.update(path.relative_to(root).as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()


class SkipUnchangedWriter(Writer):
    """Pelican's Writer, skipping pages whose fingerprint matches the manifest."""

    def __init__(self, output_path, settings=None):
        super().__init__(output_path, settings=settings)
        cache_dir = nd_settings.cache_dir(settings)
        self.manifest_path = output_state_path(cache_dir, "pages", output_path) if cache_dir else None
        self.previous: dict[str, str] = {}
        if self.manifest_path and self.manifest_path.is_file():
            try:
                self.previous = pickle.loads(self.manifest_path.read_bytes())
            except Exception:
                self.previous = {}
            # Removed until this build finishes: a build that stops half-way must not
            # leave a manifest describing pages it may have overwritten.
            self.manifest_path.unlink(missing_ok=True)
        self.current: dict[str, str] = {}
        self._static_fp: str | None = None
        self._template_vars: dict[str, frozenset[str] | None] = {}
        self._sorted_variables: dict[str, list[str]] = {}  # template_variables, sorted
        # template name → ((name, source sha256) of each template it reads, its variables)
        self.template_vars_path = (
            output_state_path(cache_dir, "templates", output_path) if cache_dir else None
        )
        self._stored_template_vars: dict[str, tuple[tuple[tuple[str, str], ...], frozenset[str]]] = (
            read_versioned_dict(self.template_vars_path, code_version())
        )
        self._template_vars_changed = False
        self._start_describing_state()
        self.skipped = 0
        self.written: set[str] = set()  # output names rendered by this build
        self.workers = render_workers(self.settings)
        # write_file calls waiting for flush(); None = render at once.
        self.queue: list[tuple] | None = [] if self.workers > 1 else None
        # (pid, result file, objects, write end of its stop pipe) of the worker started by
        # describe_contents_early or describe_articles_early
        self._early: tuple[int, str, list, int] | None = _early_started.pop() if _early_started else None
        _active[:] = [self]

    # ------------------------------------------------------------ fingerprints

    def _start_describing_state(self) -> None:
        """The memos :meth:`describe` fills (all it needs of the writer)."""
        # id(obj) → (obj kept alive so the id is not reused, its description)
        self._memo: dict[int, tuple[object, object]] = {}
        # id(digest) → (digest kept alive, the hash of its description without lines)
        self._heads: dict[int, tuple[object, bytes]] = {}
        # id(paginated list) → (the list, its items' descriptions, whether one is unknown)
        self._list_items: dict[int, tuple[list, list, bool]] = {}
        # id(content) → (the content, its _link_entry): an article's entry is part of its
        # own description and of each of its translations'.
        self._links: dict[int, tuple[object, tuple]] = {}
        # variable name → (the shared context's value, its description): see page_fingerprint
        self._shared: dict[str, tuple[object, object]] = {}

    @classmethod
    def describer(cls) -> SkipUnchangedWriter:
        """An object that describes values like a writer, before Pelican has created one
        (it has no manifest, settings or queue: only :meth:`describe` may be used)."""
        describer = cls.__new__(cls)
        describer._start_describing_state()
        return describer

    def static_fingerprint(self) -> str:
        """What every page depends on: code, data files, theme files, simple settings."""
        if self._static_fp is None:
            from .rules import load_rules

            # Every setting: lists and dicts too (JINJA_ENVIRONMENT, PAGINATION_PATTERNS,
            # NEWS_DIGEST_LANGUAGES …) change pages without being template variables.
            settings = []
            for key, value in sorted(self.settings.items()):
                if key in _OUTPUT_NEUTRAL_SETTINGS:
                    continue
                described = self.describe(value)
                settings.append(
                    (key, ("type", type(value).__qualname__) if described is _UNKNOWN else described)
                )
            self._static_fp = _h(
                code_version(),
                load_rules(self.settings.get("NEWS_DIGEST_DATA_DIR")).version,
                _theme_fingerprint(self.settings.get("THEME", "")),
                settings,
            )
        return self._static_fp

    def template_variables(self, template) -> frozenset[str] | None:
        """Names a template (with everything it extends, includes or imports) reads from
        its context; None when a referenced template is chosen at render time.

        Parsing the theme's templates cost ~0.4 s in every render process; the answer is
        kept between builds (:meth:`save_manifest`) with the sha256 of each template
        source it read, and reused while every one of those sources is unchanged."""
        name = getattr(template, "name", None)
        if name in self._template_vars:
            return self._template_vars[name]
        env = getattr(template, "environment", None)
        result: frozenset[str] | None = None
        if name and env is not None and env.loader is not None:
            stored = self._stored_template_vars.get(name)
            if stored is not None and _sources_unchanged(env, stored[0]):
                result = stored[1]
            else:
                try:
                    sources, result = _read_template_tree(env, name)
                    self._stored_template_vars[name] = (sources, result)
                    self._template_vars_changed = True
                except Exception:
                    logger.debug("news-digest: cannot list the variables of %s", name, exc_info=True)
                    result = None
        self._template_vars[name] = result
        return result

    def page_fingerprint(self, name, template, context, kwargs) -> str | None:
        """A hash of everything the page's output depends on, or None (always render).

        That is: the static fingerprint, the output name and writer options, the template,
        and the description of every variable the template tree reads (from ``kwargs``
        or the shared context). Variables it does not read are left out, so a page
        listing twenty articles does not change when a twenty-first article does.
        """
        if kwargs.get("paginated"):
            return None
        if kwargs.get("paginated", None) is None and kwargs.get("template_name") in (
            self.settings.get("PAGINATED_TEMPLATES") or {}
        ):
            return None  # Pelican paginates it itself
        variables = self._sorted_variables.get(template.name)
        if variables is None:
            found = self.template_variables(template)
            if found is None:
                return None
            variables = self._sorted_variables[template.name] = sorted(found)
        parts: list[object] = []
        for var in variables:
            if var in kwargs:
                value = kwargs[var]
            elif var in context:
                value = context[var]
                if isinstance(value, (list, tuple, dict, set, frozenset)):
                    # A small container of the shared context (nd_dirs) is the same object
                    # on every page, but describe() keeps no small container: describing
                    # it per page took ~0.3 s of a warm 10,000-dump build (per-variable
                    # timings; an A/B of all page fingerprints did not resolve it).
                    hit = self._shared.get(var)
                    if hit is None or hit[0] is not value:
                        hit = self._shared[var] = (value, self.describe(value))
                    if hit[1] is _UNKNOWN:
                        return None
                    parts.append((var, hit[1]))
                    continue
            else:
                # Jinja globals (gettext, functions added by the plugin) are code.
                parts.append((var, "global" if var in template.environment.globals else "missing"))
                continue
            described = self.describe(value)
            if described is _UNKNOWN:
                return None
            parts.append((var, described))
        writer_options = sorted((k, repr(kwargs[k])) for k in _WRITER_PARAMS.intersection(kwargs))
        return _h(self.static_fingerprint(), name, template.name, writer_options, parts)

    def describe(self, value, depth: int = 0):
        """A deterministic, repr-able description of a template variable's value, or
        ``_UNKNOWN`` when its kind is not understood (then the page is always rendered)."""
        if isinstance(value, _SIMPLE):
            return value
        if depth > 8:
            return _UNKNOWN
        key = id(value)
        hit = self._memo.get(key)
        if hit is not None and hit[0] is value:
            return hit[1]
        described = self._describe(value, depth)
        if described is _UNKNOWN:
            return described
        if isinstance(value, (Content, Page)) or (isinstance(value, (list, tuple, dict)) and len(value) >= 4):
            # Big values (the list of all articles, a content object) are described once
            # per build, and kept as their hash.
            described = _h(described)
        elif isinstance(value, (list, tuple, dict, set, frozenset)):
            # A small container is most often made for one page (its alternates): kept,
            # thousands of them made the collector's full passes slower than describing
            # them again.
            return described
        # Other objects (a date period, an entity, a paginator) are shared by the pages
        # that show them, and final while pages are fingerprinted. Keeping a reference
        # keeps the id from being reused.
        self._memo[key] = (value, described)
        return described

    def _describe(self, value, depth: int):
        d = depth + 1
        if isinstance(value, Content):
            return self._describe_content(value, d)
        if isinstance(value, (list, tuple)) and all(isinstance(v, _SIMPLE) for v in value):
            # Plain data (a page's URL parts …): what describing each item gives, at once.
            return (type(value).__name__, list(value))
        if isinstance(value, (list, tuple, set, frozenset)):
            # (describe() returns a plain value as it is: not called for those.)
            items = [v if isinstance(v, _SIMPLE) else self.describe(v, d) for v in value]
            if any(i is _UNKNOWN for i in items):
                return _UNKNOWN
            return (
                type(value).__name__,
                sorted(map(repr, items)) if isinstance(value, (set, frozenset)) else items,
            )
        if isinstance(value, dict):
            items = list(value.items())
            if all(isinstance(k, _SIMPLE) and isinstance(v, _SIMPLE) for k, v in items):
                # Plain data (an alternate's language and URL): as the general case gives it.
                return ("dict", items)
            items = [
                (
                    k if isinstance(k, _SIMPLE) else self.describe(k, d),
                    v if isinstance(v, _SIMPLE) else self.describe(v, d),
                )
                for k, v in items
            ]
            if any(k is _UNKNOWN or v is _UNKNOWN for k, v in items):
                return _UNKNOWN
            return ("dict", items)
        if isinstance(value, (_dt.datetime, _dt.date)):
            return ("date", value.isoformat())
        if isinstance(value, URLWrapper):
            return ("urlwrapper", type(value).__name__, value.name, value.slug)
        if isinstance(value, Paginator):
            # Not its object_list: templates read a page's articles from the Page.
            return (
                "paginator",
                value.name,
                value.url,
                value.per_page,
                value.orphans,
                value.count,
                value.num_pages,
            )
        if isinstance(value, Page):
            items = self._describe_page_items(value, d)
            if items is _UNKNOWN:
                return _UNKNOWN
            # Its URL and file name are Pelican's PAGINATION_PATTERNS (a setting, in the
            # static fingerprint) applied to these four; formatting them was 62 of the
            # 1,394 samples py-spy took in page fingerprints of a warm 10,000-dump build.
            return ("page", value.number, value.full_name, value.base_url, value.paginator.num_pages, items)
        view = getattr(type(value), "fingerprint_view", None)
        if callable(view):
            # The object says what templates may show of it (e.g. a date period: its
            # counts, not its articles, which pages list through articles_page).
            shown = self.describe(view(value), d)
            return _UNKNOWN if shown is _UNKNOWN else (type(value).__qualname__, shown)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            if _repr_is_complete(type(value)):
                names = _shown_fields(type(value))
                values = _plain_values(value, names)
                if values is not None:
                    # What its repr shows, without building the repr (a translation's
                    # paragraphs: ~20 µs an English article, escaping every character).
                    return ("dcv", type(value).__qualname__, values)
                # Its generated repr shows every field (nested objects by their own repr:
                # a default repr with an address makes the page always render, never stale).
                return ("dc", repr(value))
            fields = [(f.name, self.describe(getattr(value, f.name), d)) for f in dataclasses.fields(value)]
            if any(v is _UNKNOWN for _, v in fields):
                return _UNKNOWN
            return (type(value).__qualname__, fields)
        if isinstance(value, _dt.tzinfo):
            return ("tz", str(value))
        if callable(value):
            # Functions handed to templates (nd_card, site_name …) are code: their output
            # is a function of their arguments, which are described where they come from.
            return (
                "callable",
                getattr(value, "__module__", ""),
                getattr(value, "__qualname__", type(value).__name__),
            )
        return _UNKNOWN

    def _describe_page_items(self, page: Page, depth: int):
        """``describe(page.object_list)``, from the descriptions of the paginated list's
        items, made once per list.

        A list page shows its own slice and links its neighbours: each slice used to be
        described item by item for every page that shows or links it, three times per
        page (~50 µs a page at 10,000 dumps). The result is exactly what describing the
        slice gives, so fingerprints do not depend on which path made them."""
        items = page.object_list
        listed = getattr(page.paginator, "object_list", None)
        if not isinstance(items, list) or not isinstance(listed, list) or not items:
            return self.describe(items, depth)
        hit = self._list_items.get(id(listed))
        if hit is None or hit[0] is not listed:
            described = [self.describe(v, depth + 1) for v in listed]
            hit = self._list_items[id(listed)] = (listed, described, any(v is _UNKNOWN for v in described))
        _listed, described, unknown = hit
        bottom = page.paginator.per_page * (page.number - 1)
        top = bottom + len(items)
        if unknown or top > len(listed) or listed[bottom] is not items[0] or listed[top - 1] is not items[-1]:
            return self.describe(items, depth)  # not a plain slice of its paginator's list
        result = ("list", described[bottom:top])
        return _h(result) if len(items) >= 4 else result

    def _digest_head(self, digest, key: str = "") -> bytes:
        """The digest without its lines, hashed once per digest (an article and its
        translations share theirs).

        With ``key`` (the pipeline cache key the reader loaded it under, which names the
        pipeline's result exactly) the digest is described by that key plus the only two
        fields the build changes after reading (``_article_pretaxonomy``: a unique slug and
        its warning): 0.01 ms instead of ~0.2 ms for the repr of its nested dataclasses,
        which every render process paid for most of the site's digests.
        ``test_a_digest_is_its_cache_entry_but_slug_and_warnings`` holds the build to it."""
        if digest is None:
            return b""
        hit = self._heads.get(id(digest))
        if hit is None or hit[0] is not digest:
            if key:
                head = hashlib.sha256(
                    repr((key, digest.slug, digest.warnings)).encode("utf-8", "surrogatepass")
                ).digest()
            else:
                head = hashlib.sha256(_digest_without_lines(digest)).digest()
            hit = self._heads[id(digest)] = (digest, head)
        return hit[1]

    def _describe_content(self, article, depth: int):
        """An article (or page) as templates see it: its link entry, text, metadata,
        digest and the attributes the plugin adds (story, translation, alternates …),
        and its translations' link entries."""
        attrs = []
        for key, value in sorted(vars(article).items()):
            if key in _CONTENT_SKIP:
                continue
            described = self.describe(value, depth)
            if described is _UNKNOWN:
                return _UNKNOWN
            attrs.append((key, described))
        digest = getattr(article, "digest", None)
        return (
            "content",
            type(article).__name__,
            self._link_entry(article),
            _text_hash(getattr(article, "_content", None)),
            sorted(
                (k, str(v)) for k, v in article.metadata.items() if k not in ("digest", "digest_translation")
            ),
            getattr(digest, "sha256", None),
            self._digest_head(digest, article.metadata.get("digest_key", "")),
            attrs,
            [self._link_entry(t) for t in getattr(article, "translations", [])],
        )

    def _link_entry(self, article) -> tuple:
        """:func:`_link_entry`, once per content object."""
        hit = self._links.get(id(article))
        if hit is None or hit[0] is not article:
            hit = self._links[id(article)] = (article, _link_entry(article))
        return hit[1]

    def write_file(self, name, template, context, *args, **kwargs):
        if self.queue is not None and name:
            # The shared context is queued as it is, not copied: Pelican's writer sets
            # ``localsiteurl`` on it before each render for Content link replacement.
            self.queue.append((name, template, context, args, kwargs))
            return None
        return self._write_now(name, template, context, *args, **kwargs)

    def _write_now(self, name, template, context, *args, **kwargs):
        fp = None
        if name and self.manifest_path is not None and not args:
            try:
                fp = self.page_fingerprint(name, template, context, kwargs)
            except Exception:  # never let the optimisation break a build
                logger.debug("news-digest: no fingerprint for %s", name, exc_info=True)
                fp = None
        if fp is not None:
            self.current[name] = fp
            path = os.path.join(self.output_path, name)
            if self.previous.get(name) == fp and os.path.isfile(path):
                self.skipped += 1
                self._send_written(name, context, kwargs)
                return None
        if name:
            self.written.add(name)
        return super().write_file(name, template, context, *args, **kwargs)

    # ------------------------------------------------------------ parallel rendering

    def flush(self) -> None:
        """Render every queued page: in ``self.workers`` processes when there are enough."""
        STATE.mark_phase("page fingerprints and rendering")
        queue, self.queue = self.queue or [], None
        start = time.perf_counter()
        processes = max(1, min(self.workers, len(queue) // MIN_PAGES_PER_WORKER))
        # The build state (every article, digest and list) is long-lived from here on.
        # Frozen, the collector stops re-scanning it on each full collection while pages
        # are rendered, and forked workers do not copy its pages by touching them.
        freeze_build_state()
        if self._early is not None:
            (pid, result_path, objects, stop), self._early = self._early, None
            # Stop it where it is: what it has not described yet is shared out over every
            # process below (_describe_contents_in_workers) instead of waited for here.
            os.close(stop)
            self._take_described(pid, result_path, objects)
        if processes == 1:
            for name, template, context, args, kwargs in queue:
                self._write_now(name, template, context, *args, **kwargs)
        else:
            self._render_in_workers(queue, processes)
        logger.info(
            "news-digest: %d pages fingerprinted, changed ones rendered, in %d process(es) in %.2fs",
            len(queue),
            processes,
            time.perf_counter() - start,
        )

    def _render_in_workers(self, queue: list[tuple], processes: int) -> None:
        """Split ``queue`` by :func:`_share_key`; this process renders one share, forked
        workers the others; then merge their manifest entries and send their pages' signals."""
        shares: list[list[int]] = [[] for _ in range(processes)]
        keys = [_share_key(name, kwargs) for name, _t, _c, _a, kwargs in queue]
        for index, (_n, _t, _c, args, kwargs) in enumerate(queue):
            # A page Pelican paginates writes several files and signals: the parent keeps it.
            own = bool(args) or self._pelican_paginates(kwargs)
            shares[0 if own else zlib.crc32(keys[index].encode("utf-8", "surrogatepass")) % processes].append(
                index
            )
        for share in shares:
            # An article's pages in every edition one after the other: they share the
            # digest's description and folded search text (memoized for a few articles).
            share.sort(key=lambda i: (keys[i], i))
        self._describe_contents_in_workers(queue, processes)
        # Every template's variables are known before the workers fork (and so saved for
        # the next build by this process), instead of parsed again in each worker.
        for _n, template, _c, _a, _k in queue:
            self.template_variables(template)
        children = []
        reaped: set[int] = set()
        try:
            for share in shares[1:]:
                pid, result_path = fork_with_result_file("render")
                if pid == 0:  # pragma: no cover - runs in the child, reported through the file
                    self._render_child(queue, share, result_path)
                children.append((pid, share, result_path))
            for index in shares[0]:
                name, template, context, args, kwargs = queue[index]
                self._write_now(name, template, context, *args, **kwargs)
            failures = []
            for pid, share, result_path in children:
                _, status = os.waitpid(pid, 0)
                reaped.add(pid)
                result = self._read_child_result(result_path)
                if result is None or result.get("error") or os.waitstatus_to_exitcode(status):
                    error = (result or {}).get("error") or f"exit status {os.waitstatus_to_exitcode(status)}"
                    failures.append(error)
                    continue
                self.current.update(result["current"])
                self.written.update(result["written"])
                self.skipped += result["skipped"]
                for index in share:
                    name, _t, context, _a, kwargs = queue[index]
                    self._send_written(name, context, kwargs)
            if failures:
                raise RuntimeError("news-digest: rendering pages failed in a worker:\n" + "\n".join(failures))
        finally:
            for pid, _share, result_path in children:
                if pid not in reaped:  # this process's own share failed: let the worker end
                    os.waitpid(pid, 0)
                Path(result_path).unlink(missing_ok=True)

    def describe_contents_early(self, objects: list) -> None:
        """Start describing ``objects`` (final articles) in a forked worker now, while the
        build still queues pages; :meth:`flush` takes the results.

        In a warm build the second core is idle while the parent queues lists, report,
        feeds and story pages (seconds at 10,000 dumps): describing every article there
        takes that work out of the rendering phase. Does nothing when pages are rendered
        serially, without ``os.fork``, or for a small site."""
        if self.queue is None or self._early is not None or not hasattr(os, "fork"):
            return
        if len(objects) < self.workers * MIN_PAGES_PER_WORKER:
            return
        self._early = _start_describing(self, list(objects))

    def _describe_child(self, objects: list, indexes, result_path: str, stop: int | None = None) -> None:
        """Worker side of the describing: the hash of each described object, by index.

        With ``stop`` (the read end of a pipe), it stops early once the pipe's write end
        is closed (the parent has reached the flush), and reports what it has done."""
        code = 1
        try:
            found = {}
            for count, index in enumerate(indexes):
                if stop is not None and count % 128 == 0 and select.select([stop], [], [], 0)[0]:
                    break
                self.describe(objects[index])
                hit = self._memo.get(id(objects[index]))
                if hit is not None and hit[0] is objects[index]:
                    found[index] = hit[1]
            write_pickle_atomically(Path(result_path), found)
            code = 0
        finally:
            os._exit(code)

    def _take_described(self, pid: int, result_path: str, objects: list) -> None:
        """Wait for a describing worker and put its hashes in the memo (none if it failed)."""
        _, status = os.waitpid(pid, 0)
        found = self._read_child_result(result_path) if os.waitstatus_to_exitcode(status) == 0 else None
        Path(result_path).unlink(missing_ok=True)
        if not isinstance(found, dict):
            logger.debug("news-digest: a describing worker failed; its articles are described later")
            return
        for index, described in found.items():
            self._memo[id(objects[index])] = (objects[index], described)

    def _describe_contents_in_workers(self, queue: list[tuple], processes: int) -> None:
        """Describe every article the queued pages show once, split over the processes,
        before the pages are shared out.

        List pages show articles of every share, so each render process used to describe
        nearly all of them (~0.1 ms each; 20,000 on a 10,000-dump site). Here each process
        describes one share of the articles (by source file, like the pages); the workers
        send back the hashes, and the parent puts them in its memo, which the render
        workers forked next inherit. Descriptions are deterministic, so a page's
        fingerprint is the same as when the rendering process describes the article
        itself; a worker that fails only costs that saving."""
        contents: dict[int, Content] = {}
        # A list is paginated into many Page objects (and shared by every edition's
        # paginator): walk each paginated list once, not every page's slice (1.2 million
        # dictionary calls at 10,000 dumps).
        lists_seen: set[int] = set()
        for _name, _t, _c, _a, kwargs in queue:
            for value in kwargs.values():
                if isinstance(value, Content):
                    contents.setdefault(id(value), value)
                elif isinstance(value, Page):
                    listed = value.paginator.object_list
                    if id(listed) not in lists_seen:
                        lists_seen.add(id(listed))
                        for item in listed:
                            if isinstance(item, Content):
                                contents.setdefault(id(item), item)
        # Only what the early worker (if any) did not describe.
        objects = [obj for key, obj in contents.items() if self._memo.get(key, (None,))[0] is not obj]
        if len(objects) < processes * MIN_PAGES_PER_WORKER:
            return
        shares: list[list[int]] = [[] for _ in range(processes)]
        for index, obj in enumerate(objects):
            key = getattr(obj, "source_path", None) or ""
            shares[zlib.crc32(str(key).encode("utf-8", "surrogatepass")) % processes].append(index)
        children = []
        for share in shares[1:]:
            pid, result_path = fork_with_result_file("describe")
            if pid == 0:  # pragma: no cover - runs in the child, reported through the file
                self._describe_child(objects, share, result_path)
            children.append((pid, result_path))
        for index in shares[0]:
            self.describe(objects[index])
        for pid, result_path in children:
            self._take_described(pid, result_path, objects)

    def _render_child(self, queue: list[tuple], share: list[int], result_path: str) -> None:
        """Worker side of :meth:`flush` (a forked process): render ``share``, save the
        manifest entries and names to ``result_path``, and exit without returning."""
        code = 0
        try:
            # The parent sends content_written for this share once the worker is done.
            signals.content_written.receivers.clear()
            self.current, self.written, self.skipped = {}, set(), 0
            name = None
            try:
                for index in share:
                    name, template, context, args, kwargs = queue[index]
                    self._write_now(name, template, context, *args, **kwargs)
                result = {"current": self.current, "written": self.written, "skipped": self.skipped}
            except BaseException:
                result = {"error": f"{name}: {traceback.format_exc()}"}
                code = 1
            with open(result_path, "wb") as fh:
                pickle.dump(result, fh, protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException:
            code = 2
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)

    def _pelican_paginates(self, kwargs: dict) -> bool:
        """True when Pelican's own writer splits this call into several pages."""
        paginated = kwargs.get("paginated")
        if paginated is None:
            paginated = [k for k in kwargs if k in ("articles", "dates")]
        return bool(paginated) and kwargs.get("template_name") in (
            self.settings.get("PAGINATED_TEMPLATES") or {}
        )

    @staticmethod
    def _read_child_result(path: str) -> dict | None:
        try:
            with open(path, "rb") as fh:
                return pickle.load(fh)
        except Exception:
            return None

    def _send_written(self, name: str, context: dict, kwargs: dict) -> None:
        """``content_written`` for a page, with the context its template saw."""
        if not signals.content_written.receivers:
            return  # nobody listens: no copy of the shared context per page
        localcontext = context.copy()
        localcontext["output_file"] = name
        localcontext.update({k: v for k, v in kwargs.items() if k not in _WRITER_PARAMS})
        signals.content_written.send(os.path.join(self.output_path, name), context=localcontext)

    def save_manifest(self) -> None:
        if self.manifest_path is None:
            return
        write_pickle_atomically(self.manifest_path, self.current)
        if self._template_vars_changed and self.template_vars_path is not None:
            write_pickle_atomically(self.template_vars_path, (code_version(), self._stored_template_vars))
            self._template_vars_changed = False
        logger.info(
            "news-digest: %d pages unchanged and not re-rendered, %d rendered",
            self.skipped,
            len(self.written),
        )


def _start_describing(describer: SkipUnchangedWriter, objects: list) -> tuple[int, str, list, int]:
    """Fork a worker describing ``objects`` with ``describer``; see describe_contents_early."""
    freeze_build_state()  # the worker then shares the articles without copying them
    stop_read, stop_write = os.pipe()
    pid, result_path = fork_with_result_file("describe")
    if pid == 0:  # pragma: no cover - runs in the child, reported through the file
        os.close(stop_write)
        describer._describe_child(objects, range(len(objects)), result_path, stop_read)
    os.close(stop_read)
    return pid, result_path, objects, stop_write


def describe_articles_early(objects: list, settings: dict) -> None:
    """Start describing the build's final articles before Pelican creates the writer.

    Called when every generator has its context (``all_generators_finalized``): the
    articles are final from there on (Pelican has refreshed their intersite links) and,
    in a warm build, the stories are assigned, so a worker can describe them while the
    generators queue their pages (a second more than from ``generate_output``). The
    writer Pelican creates next takes the worker over (:meth:`SkipUnchangedWriter.flush`
    stops it and keeps what it described). Nothing happens unless that writer will queue
    pages (:func:`writer_queues_pages`) and the site is large enough to render on several
    processes."""
    if _early_started or not writer_queues_pages(settings) or not hasattr(os, "fork"):
        return
    if len(objects) < render_workers(settings) * MIN_PAGES_PER_WORKER:
        return
    _early_started.append(_start_describing(SkipUnchangedWriter.describer(), list(objects)))


def stop_unclaimed_describer() -> None:
    """Stop and reap a describing worker no writer took over (the build failed first)."""
    while _early_started:
        pid, result_path, _objects, stop = _early_started.pop()
        os.close(stop)
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass
        Path(result_path).unlink(missing_ok=True)


def _share_key(name: str, kwargs: dict) -> str:
    """What decides a queued page's worker: the source file of the article it shows (so
    the pages of an article in every edition land in one process), else its output name.
    One output name always has one key, so a name never lands in two processes."""
    article = kwargs.get("article")
    source = getattr(article, "source_path", None) if article is not None else None
    return f"article:{source}" if isinstance(source, str) else f"page:{name}"


def render_workers(settings: dict) -> int:
    """Processes that render pages: NEWS_DIGEST_WORKERS (default all cores), 1 without fork."""
    from .parallel import configured_workers

    return configured_workers(settings)


def writer_queues_pages(settings: dict) -> bool:
    """True when this build's writer will be a :class:`SkipUnchangedWriter` that queues
    pages until ``finalized`` (so page variables may still change after ``write_file``):
    our writer is on, no other plugin answers ``get_writer``, and it renders in workers."""
    from . import _get_writer

    receivers = list(signals.get_writer.receivers_for(signals.get_writer))
    ours = receivers == [_get_writer]
    return bool(
        ours and nd_settings.get(settings, "NEWS_DIGEST_SKIP_UNCHANGED") and render_workers(settings) > 1
    )


def get_writer(pelican):
    """``get_writer`` handler: our writer unless NEWS_DIGEST_SKIP_UNCHANGED is off."""
    nd_settings.apply_defaults(pelican.settings)
    if not nd_settings.get(pelican.settings, "NEWS_DIGEST_SKIP_UNCHANGED"):
        return None
    return SkipUnchangedWriter


def finalized(pelican) -> set[str] | None:
    """Render the pages queued by the writer used by this build, save its page manifest,
    and return the output names it rendered (None when this build did not use our
    writer: then anything may have changed)."""
    stop_unclaimed_describer()
    written = None
    while _active:
        writer = _active.pop()
        writer.flush()
        writer.save_manifest()
        written = writer.written if written is None else written | writer.written
    return written
