"""Pelican glue: a writer that skips re-rendering article pages whose inputs did not change.

Pelican renders and writes every page on every build, even when its content cache spared
the reading. On a 10,000-dump site that makes a one-dump change cost most of a full build.
:class:`SkipUnchangedWriter` (installed through Pelican's ``get_writer`` signal) keeps a
manifest of a fingerprint per article page and skips an article page when

- the page file still exists in the output directory, and
- its fingerprint is the one recorded by the previous build.

The fingerprint of an article page hashes the *site fingerprint* (code version, data
files' version, theme templates, simple settings, and for every article of the site its
"link entry": URL, title, date, summary, language, category, translations and the digest
without its lines) and the page's own inputs (the template, the article's HTML, metadata
and full digest). So a change of one article's body re-renders that article's page only;
a change of any title, date, URL, summary, topic, entity or translation anywhere (or of
code, data, theme or settings) re-renders every page. Listing pages (index, archives,
news-digest's own pages) are always written. A page is never skipped when its arguments
are of a kind this fingerprint does not understand.

Plugins that put cross-article data in the Jinja context must store it on
``article.digest`` so it is part of the fingerprint, or set
``NEWS_DIGEST_SKIP_UNCHANGED = False``. Skipped pages still send ``content_written``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
import pickle
from pathlib import Path

from pelican import signals
from pelican.writers import Writer

from . import settings as nd_settings
from .cache import code_version

logger = logging.getLogger(__name__)

#: Writer.write_file's own parameters (not template variables).
_WRITER_PARAMS = {"relative_urls", "paginated", "template_name", "override_output", "url"}
_SIMPLE = (str, int, float, bool, type(None))

_active: list[SkipUnchangedWriter] = []


def _plain(value, depth: int = 0) -> bool:
    """True for data whose repr is deterministic and complete: simple values, and lists,
    tuples, dicts and dataclasses of them (e.g. page_lang, an Edition, hreflang alternates).
    Pelican content objects and anything else are not: such a page is always rendered."""
    if depth > 6:
        return False
    if isinstance(value, _SIMPLE):
        return True
    if isinstance(value, (list, tuple, frozenset)):
        return all(_plain(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return all(_plain(k, depth + 1) and _plain(v, depth + 1) for k, v in value.items())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return all(_plain(getattr(value, f.name), depth + 1) for f in dataclasses.fields(value))
    return False


def _h(*parts: object) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part if isinstance(part, bytes) else repr(part).encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    return h.hexdigest()


def _digest_without_lines(digest) -> bytes:
    """The digest minus its lines and dump hash, as deterministic bytes (its repr).

    repr, not pickle: two equal objects can pickle differently (shared sub-objects
    differ between a freshly computed digest and one loaded from the cache).
    """
    if digest is None:
        return b""
    return repr(dataclasses.replace(digest, lines=[], sha256="")).encode("utf-8", "surrogatepass")


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


def _theme_fingerprint(theme: str) -> str:
    h = hashlib.sha256()
    root = Path(theme)
    for path in sorted(root.rglob("*")) if root.is_dir() else []:
        if path.is_file():
            h.update(path.relative_to(root).as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()


class SkipUnchangedWriter(Writer):
    """Pelican's Writer, skipping article pages whose fingerprint matches the manifest."""

    def __init__(self, output_path, settings=None):
        super().__init__(output_path, settings=settings)
        cache_dir = nd_settings.cache_dir(settings)
        out_id = hashlib.sha256(os.path.abspath(output_path).encode()).hexdigest()[:12]
        self.manifest_path = Path(cache_dir) / f"pages-{out_id}.pickle" if cache_dir else None
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
        self._site_fp: str | None = None
        self._heads: dict[int, tuple] = {}  # id(digest) → (digest kept alive, hash)
        self.skipped = 0
        _active[:] = [self]

    def site_fingerprint(self, context) -> str:
        if self._site_fp is None:
            from .rules import load_rules

            articles = []
            for key in ("articles", "hidden_articles", "drafts"):
                for a in context.get(key, []) or []:
                    articles.append(a)
                    articles.extend(getattr(a, "translations", []))
            simple = sorted((k, v) for k, v in self.settings.items() if isinstance(v, _SIMPLE))
            self._site_fp = _h(
                code_version(),
                load_rules(self.settings.get("NEWS_DIGEST_DATA_DIR")).version,
                _theme_fingerprint(self.settings.get("THEME", "")),
                simple,
                sorted(
                    (_link_entry(a), self._head(a.digest) if hasattr(a, "digest") else b"") for a in articles
                ),
            )
        return self._site_fp

    def page_fingerprint(self, name, template, context, kwargs) -> str | None:
        article = kwargs.get("article")
        if article is None or not hasattr(article, "digest") or kwargs.get("paginated"):
            return None
        extra = []
        for key, value in sorted(kwargs.items()):
            if key == "article":
                continue
            if key == "category":
                value = str(value)
            elif not _plain(value):
                return None
            extra.append((key, repr(value)))
        meta = sorted((k, str(v)) for k, v in article.metadata.items() if k != "digest")
        digest = article.digest
        return _h(
            self.site_fingerprint(context),
            name,
            getattr(template, "filename", None) or getattr(template, "name", ""),
            article.content,
            meta,
            # The lines are a pure function of the dump's bytes (sha256), the code and the
            # data files (both in the site fingerprint); everything else of the digest is
            # hashed without them, once per article.
            digest.sha256,
            self._head(digest),
            extra,
        )

    def _head(self, digest) -> bytes:
        key = id(digest)
        if key not in self._heads:
            self._heads[key] = (digest, hashlib.sha256(_digest_without_lines(digest)).digest())
        return self._heads[key][1]

    def write_file(self, name, template, context, *args, **kwargs):
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
                localcontext = context.copy()
                localcontext["output_file"] = name
                localcontext.update({k: v for k, v in kwargs.items() if k not in _WRITER_PARAMS})
                signals.content_written.send(path, context=localcontext)
                return None
        return super().write_file(name, template, context, *args, **kwargs)

    def save_manifest(self) -> None:
        if self.manifest_path is None:
            return
        self.manifest_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.manifest_path.with_suffix(".tmp")
        tmp.write_bytes(pickle.dumps(self.current, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(tmp, self.manifest_path)
        logger.info(
            "news-digest: %d article pages unchanged and not re-rendered, %d written",
            self.skipped,
            len(self.current) - self.skipped,
        )


def get_writer(pelican):
    """``get_writer`` handler: our writer unless NEWS_DIGEST_SKIP_UNCHANGED is off."""
    nd_settings.apply_defaults(pelican.settings)
    if not nd_settings.get(pelican.settings, "NEWS_DIGEST_SKIP_UNCHANGED"):
        return None
    return SkipUnchangedWriter


def finalized(pelican) -> None:
    """Save the page manifest of the writer used by this build."""
    while _active:
        _active.pop().save_manifest()
