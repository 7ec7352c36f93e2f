"""Offline site search: a static Pagefind index per edition, and diacritics folding.

Pagefind indexes the built HTML (``pagefind`` from PyPI ships the binary), one bundle per
edition so each edition's search only finds its own language: Vietnamese articles into
``output/pagefind/``, English ones into ``output/en/pagefind/``. Only article pages are
indexed (the glob), and only their ``data-pagefind-body`` element (the article, not the chrome).

Vietnamese readers often type without diacritics ("nhat ban" for "Nhật Bản"), and Pagefind has
no Vietnamese folding: the article template therefore carries a hidden, folded copy of the
text (:func:`fold_diacritics`) inside the indexed body, so both spellings find the article.

Run after Pelican: ``python -m news_digest.search output`` (``make html`` does).
"""

from __future__ import annotations

import argparse
import logging
import subprocess
import sys
import unicodedata
from collections import OrderedDict
from collections.abc import Collection
from pathlib import Path

from .editions import get_editions

logger = logging.getLogger(__name__)

#: Letters that are not a base letter plus a combining mark, so NFD cannot fold them.
_EXTRA_FOLDS = str.maketrans({"đ": "d", "Đ": "D"})


def _fold_word(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word.translate(_EXTRA_FOLDS))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


#: Folded words already seen (bounded: emptied when full). Vietnamese prose repeats a few
#: thousand syllables, so folding word by word from this memo is ~7× faster than folding
#: every character, and every article's text is folded for the search copy.
_FOLDED_WORDS: dict[str, str] = {}
_FOLDED_WORDS_MAX = 65_536


def fold_diacritics(text: str) -> str:
    """Text with Vietnamese (and other Latin) diacritics removed and đ→d.

    ``fold_diacritics("Hội đàm tại Nhật Bản")`` → ``"Hoi dam tai Nhat Ban"``.

    Folding maps each character on its own (its canonical decomposition without the
    combining marks: reordering marks cannot matter once they are dropped), so the text
    is folded space-separated word by word, each word once.
    """
    memo = _FOLDED_WORDS
    out = []
    for word in str(text).split(" "):
        folded = memo.get(word)
        if folded is None:
            if len(memo) >= _FOLDED_WORDS_MAX:
                memo.clear()
            folded = memo[word] = _fold_word(word)
        out.append(folded)
    return " ".join(out)


#: Longest folded copy put in a page: enough for any news article; a huge dump's page does
#: not double in size (and in build memory) for a copy that only the index reads.
MAX_FOLDED_CHARS = 100_000


#: The last few digests' folded bodies: an article's page in each edition folds the same
#: Vietnamese body, and the writer renders those pages one after the other.
_FOLDED_BODIES: OrderedDict[int, tuple[object, str]] = OrderedDict()
_FOLDED_BODIES_KEPT = 16


def folded_body(digest) -> str:
    """The digest's kept lines below the title, diacritics off ("" without body lines)."""
    packed = digest.packed_text("folded")
    if packed is not None:
        return packed
    hit = _FOLDED_BODIES.get(id(digest))
    if hit is not None and hit[0] is digest:
        return hit[1]
    parts, size = [], 0
    for ln in digest.body_lines:
        parts.append(ln.text)
        size += len(ln.text) + 1
        if size >= MAX_FOLDED_CHARS:
            break
    folded = fold_diacritics(" ".join(parts))
    _FOLDED_BODIES[id(digest)] = (digest, folded)
    if len(_FOLDED_BODIES) > _FOLDED_BODIES_KEPT:
        _FOLDED_BODIES.popitem(last=False)
    return folded


def search_folded(article) -> str:
    """The folded copy of an article for the index: title and kept lines, diacritics off.

    Built from the pipeline's lines, not from the rendered HTML, so no markup is parsed
    back out of the page; escaped by the template like all dump text. (Title and body
    are folded apart: NFD never composes across the space that joins them.)"""
    digest = getattr(article, "digest", None)
    if digest is None:
        return ""
    body = folded_body(digest)  # "" exactly when there are no body lines (kept lines have text)
    title = fold_diacritics(str(article.title))
    return (f"{title} {body}" if body else title)[:MAX_FOLDED_CHARS]


def pagefind_command(edition_root: Path) -> list[str]:
    """The pagefind call that indexes one edition's article pages into its ``pagefind/``.

    The edition's own directory is the indexed site, so result URLs ("/articles/x/") are
    relative to it, and Pagefind's default base URL (the directory holding ``pagefind/``,
    "/en/" for the English bundle) makes them right wherever the site is served.
    """
    return [
        sys.executable,
        "-m",
        "pagefind",
        "--site",
        str(edition_root),
        "--glob",
        "articles/**/*.html",
        # the date/outlet line is metadata, not text: kept out of results' excerpts
        "--exclude-selectors",
        ".article-meta",
        "--output-subdir",
        "pagefind",
        "--quiet",
    ]


def build_search_index(
    output: str | Path, languages: list[str], written: Collection[str] | None = None
) -> list[Path]:
    """Index every edition's article pages into ``<edition prefix>pagefind/``; returns bundles.

    ``written``: the output names this build wrote, when the writer knows them (writer.py
    skips unchanged pages). An edition none of whose article pages was written keeps its
    existing index: Pagefind cannot update an index in place, and re-indexing 10,000
    unchanged pages costs a minute. None = index every edition.

    Raises ``subprocess.CalledProcessError`` when pagefind fails, so a broken index stops
    ``make html`` instead of shipping a search page that finds nothing.
    """
    output = Path(output)
    bundles = []
    for edition in get_editions(languages):
        root = output / edition.prefix
        if not any((root / "articles").glob("*/index.html")):
            continue  # an edition without article pages: nothing to search
        bundle = root / "pagefind"
        articles = f"{edition.prefix}articles/"
        if (
            written is not None
            and (bundle / "pagefind-entry.json").is_file()
            and not any(name.startswith(articles) for name in written)
        ):
            logger.info("news-digest: %s search index kept: no article page changed", edition.lang)
            bundles.append(bundle)
            continue
        subprocess.run(pagefind_command(root), check=True)
        bundles.append(bundle)
    return bundles


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the Pagefind search index of a built site.")
    parser.add_argument("output", help="the site's output directory")
    parser.add_argument("--languages", nargs="+", default=["vi", "en"], help="editions, default first")
    args = parser.parse_args(argv)
    for bundle in build_search_index(args.output, args.languages):
        print(f"search index: {bundle}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
