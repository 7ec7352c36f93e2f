"""Editions of the site: one per language, the default at the root, others under /<lang>/.

Every page news-digest writes exists once per edition at the same relative path, so a
page's counterpart in another edition is found by swapping the prefix.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Edition:
    lang: str
    prefix: str  # "" for the default edition, "en/" for English, …

    @property
    def is_default(self) -> bool:
        return self.prefix == ""

    def save_as(self, rel: str) -> str:
        """Output path of a page of this edition (``rel`` like "topics/quoc-phong/index.html")."""
        return self.prefix + rel.lstrip("/")

    def url(self, rel: str) -> str:
        """URL (relative to SITEURL) of a page of this edition; "index.html" is dropped."""
        path = self.save_as(rel)
        if path.endswith("index.html"):
            path = path[: -len("index.html")]
        return path


def get_editions(languages: list[str]) -> list[Edition]:
    """Editions for the configured languages; the first language is the default."""
    if not languages:
        raise ValueError("NEWS_DIGEST_LANGUAGES must name at least one language")
    return [Edition(lang, "" if i == 0 else f"{lang}/") for i, lang in enumerate(languages)]


def alternates(editions: list[Edition], rel: str) -> list[dict[str, str]]:
    """hreflang alternates of one page: [{"lang": "vi", "url": "topics/x/"}, …]."""
    return [{"lang": e.lang, "url": e.url(rel)} for e in editions]
