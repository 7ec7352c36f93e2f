"""ASCII slugs that are safe as one path segment and never taken raw from a dump."""

from __future__ import annotations

import hashlib
import re

from slugify import slugify as _slugify

#: python-slugify folds most Vietnamese letters through unidecode, but we make the
#: mapping of đ/Đ explicit so it never depends on the transliteration table.
VIETNAMESE_REPLACEMENTS = [["đ", "d"], ["Đ", "D"]]
MAX_SLUG_LENGTH = 80
_SAFE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def slugify(text: str, fallback: str = "item", max_length: int = MAX_SLUG_LENGTH) -> str:
    """Return an ASCII slug: lowercase letters, digits and single hyphens.

    >>> slugify("Mỹ và Nhật Bản tổ chức Đối thoại")
    'my-va-nhat-ban-to-chuc-doi-thoai'
    """
    slug = _slugify(
        text or "",
        max_length=max_length,
        word_boundary=True,
        replacements=VIETNAMESE_REPLACEMENTS,
        lowercase=True,
    )
    if not slug or not _SAFE.match(slug):
        slug = _slugify(fallback, replacements=VIETNAMESE_REPLACEMENTS) or "item"
    return slug


def is_safe_slug(slug: str) -> bool:
    return bool(slug) and bool(_SAFE.match(slug)) and slug.isascii()


def short_hash(text: str, length: int = 6) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:length]


def assign_unique_slugs(items: list[tuple[str, str]]) -> dict[str, str]:
    """Make slugs unique: ``items`` is [(key, wanted_slug)], returns {key: slug}.

    Keys are sorted first so the result does not depend on reading order; the first key
    keeps the wanted slug, later clashes get a suffix from a hash of their own key, so a
    slug stays the same across rebuilds however many other dumps come and go.
    """
    taken: set[str] = set()
    result: dict[str, str] = {}
    for key, wanted in sorted(items):
        slug = wanted
        if slug in taken:
            slug = f"{wanted}-{short_hash(key)}"
            n = 2
            while slug in taken:
                slug = f"{wanted}-{short_hash(key)}-{n}"
                n += 1
        taken.add(slug)
        result[key] = slug
    return result
