"""The NEWS_DIGEST_* settings the plugin reads, with their documented defaults."""

from __future__ import annotations

from typing import Any

DEFAULTS: dict[str, Any] = {
    # File extensions read as raw dumps (without the dot).
    "NEWS_DIGEST_DUMP_EXTENSIONS": ["txt"],
    # Directory of the YAML rule files; None = the package's own data/.
    "NEWS_DIGEST_DATA_DIR": None,
    # Directory (relative to PATH) of human translations <stem>.en.md.
    "NEWS_DIGEST_TRANSLATIONS_DIR": "translations",
    # Offline machine-translation model directory (CTranslate2); None = no MT.
    "NEWS_DIGEST_MT_MODEL": None,
    # Languages of the site: the first is the default edition at the site root.
    "NEWS_DIGEST_LANGUAGES": ["vi", "en"],
    # Where the build report is written, relative to OUTPUT_PATH.
    "NEWS_DIGEST_REPORT_DIR": "report",
    # Time zone of resolved publication dates.
    "NEWS_DIGEST_TIMEZONE": "Asia/Ho_Chi_Minh",
    # Build the Pagefind search index of every edition when the build finishes.
    "NEWS_DIGEST_SEARCH_INDEX": True,
    # --- Stories (stories.py): grouping the coverage of one event by several outlets. ---
    # Two dated articles can be one story only if their event dates are at most this many
    # days apart (covers "10/4 Washington time" published 11/4 in Hanoi, and next-day pieces).
    "NEWS_DIGEST_STORY_DATE_WINDOW_DAYS": 3,
    # No story spans more days than this between its earliest and latest dated article.
    "NEWS_DIGEST_STORY_MAX_SPAN_DAYS": 5,
    # Body TF-IDF cosine needed to link two articles that are dated within the window and
    # share entities.
    "NEWS_DIGEST_STORY_TEXT_THRESHOLD": 0.2,
    # Cosine needed when entities cannot vouch for the link (one side has no entities or
    # they do not share enough) and for any link involving an undated article.
    "NEWS_DIGEST_STORY_STRONG_TEXT_THRESHOLD": 0.5,
    # Shared entity ids needed (capped by the smaller entity set of the pair).
    "NEWS_DIGEST_STORY_MIN_SHARED_ENTITIES": 2,
    # Anti-chaining: two groups merge only if at least this fraction of the article pairs
    # across them are links themselves (average-linkage over the link graph).
    "NEWS_DIGEST_STORY_MIN_LINK_FRACTION": 0.5,
    # Syllable n-gram sizes of the TF-IDF features (Vietnamese syllables are space-separated).
    "NEWS_DIGEST_STORY_NGRAM_RANGE": [1, 2],
    # Also strip all diacritics before comparing texts (for corpora with unaccented dumps).
    "NEWS_DIGEST_STORY_FOLD_DIACRITICS": False,
    # Blocking: each article's this-many heaviest TF-IDF terms are candidate keys besides
    # its entities; a key shared by more articles than MAX_BLOCK within one date window
    # is too common to propose candidates (e.g. "Việt Nam").
    "NEWS_DIGEST_STORY_BLOCK_TERMS": 8,
    "NEWS_DIGEST_STORY_MAX_BLOCK": 200,
    # A sentence "adds" to a story when no sentence of another member reaches this cosine.
    "NEWS_DIGEST_STORY_SENTENCE_THRESHOLD": 0.5,
    # Smallest group that becomes a story (and gets a story page).
    "NEWS_DIGEST_STORY_MIN_ARTICLES": 2,
    # An article's "also covered by" box lists at most this many other articles of its
    # story (those nearest it in the story's date order) and links the story page for the
    # rest: a story of 400 articles would otherwise list 399 links on each of its pages.
    "NEWS_DIGEST_STORY_BOX_SIZE": 8,
    # Cache of pipeline results (keyed by dump hash + data + code versions); None =
    # <CACHE_PATH>/news-digest, i.e. cache/news-digest beside pelicanconf.py; "" = off.
    "NEWS_DIGEST_CACHE_DIR": None,
    # Processes that run the pure pipeline over all dumps at build start, and that render
    # pages at the end (writer.py); None = os.cpu_count(); 1 = serial (the reader processes
    # each dump when Pelican reads it, pages are rendered as Pelican asks for them).
    "NEWS_DIGEST_WORKERS": None,
    # Skip re-rendering pages none of whose template variables changed since the last
    # build into the same output directory (writer.py).
    "NEWS_DIGEST_SKIP_UNCHANGED": True,
}


def get(settings: dict[str, Any], name: str) -> Any:
    """A NEWS_DIGEST_* setting, or its default."""
    return settings.get(name, DEFAULTS[name])


#: news-digest's list templates, split into pages like Pelican's index (None = use
#: DEFAULT_PAGINATION); a site may set its own per-template size in PAGINATED_TEMPLATES.
PAGINATED_TEMPLATES: dict[str, int | None] = {"topic": None, "entity": None, "period": None}


def apply_defaults(settings: dict[str, Any]) -> None:
    for key, value in DEFAULTS.items():
        settings.setdefault(key, value)
    settings["PAGINATED_TEMPLATES"] = {**PAGINATED_TEMPLATES, **(settings.get("PAGINATED_TEMPLATES") or {})}


def cache_dir(settings: dict[str, Any]) -> str | None:
    """The pipeline cache directory (absolute), or None when the cache is off."""
    import os

    value = get(settings, "NEWS_DIGEST_CACHE_DIR")
    if value is None:
        value = os.path.join(settings.get("CACHE_PATH", "cache"), "news-digest")
    if not value:
        return None
    return os.path.abspath(value)
