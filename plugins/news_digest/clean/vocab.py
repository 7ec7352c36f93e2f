"""The cleaner's vocabulary, built from ``data/boilerplate.yaml`` (rules that are data).

``rules.py`` already parses the generic keys (``section_headers``, ``chrome_lines``,
``follow_patterns``); this module adds the cleaner's own keys and the per-outlet entries
(``outlets:``, each with datelines, section headers and chrome lines), validating every
entry with an error that names the file and the entry. The outlet of a dump is only known
after cleaning, so every outlet's entries apply to every dump; the generic lists are the
fallback for outlets the file does not name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from ..rules import DataFileError, Rules, compile_pattern, require


@dataclass
class CleanVocab:
    section_headers: dict[str, bool]  # normalised header text -> ends the article
    chrome_lines: set[str]
    chrome_patterns: list[re.Pattern[str]]
    follow_patterns: list[re.Pattern[str]]
    inline_link_patterns: list[re.Pattern[str]]
    caption_patterns: list[re.Pattern[str]]
    datelines: list[re.Pattern[str]]
    byline_patterns: list[re.Pattern[str]] = field(default_factory=list)
    header_patterns: list[tuple[re.Pattern[str], bool]] = field(default_factory=list)

    def header_ends(self, text: str) -> bool | None:
        """None when ``text`` is no section header, else whether it ends the article.

        Exact phrases first; then the patterns, for headers this file does not spell out
        ("Nội dung liên quan", "CÁC BÀI KHÁC"), on short lines only.
        """
        key = header_key(text)
        if key in self.section_headers:
            return self.section_headers[key]
        if key and len(key.split()) <= MAX_HEADER_WORDS:
            for pattern, ends in self.header_patterns:
                if pattern.search(key):
                    return ends
        return None


_CACHE: dict[tuple[str, str], CleanVocab] = {}
MAX_HEADER_WORDS = 6
_COUNT = re.compile(r"\s*[(\[]\d+[)\]]\s*$")


@lru_cache(maxsize=8192)
def header_key(text: str) -> str:
    """How a section header is compared: pipes, bullets, a trailing colon and case ignored."""
    from .base import norm  # local import: base imports this module

    return _COUNT.sub("", norm(text)).rstrip(" :>»").strip()


def _patterns(doc: dict, key: str, path, prefix: str = "") -> list[re.Pattern[str]]:
    items = doc.get(key) or []
    if not isinstance(items, list):
        raise DataFileError(path, f"'{key}' must be a list", prefix + key)
    return [compile_pattern(p, path, f"{prefix}{key}[{i}]") for i, p in enumerate(items)]


def _strings(doc: dict, key: str, path, prefix: str = "") -> list[str]:
    items = doc.get(key) or []
    if not isinstance(items, list) or not all(isinstance(s, str) for s in items):
        raise DataFileError(path, f"'{key}' must be a list of strings", prefix + key)
    return items


def _headers(doc: dict, path, prefix: str = "") -> dict[str, bool]:
    out: dict[str, bool] = {}
    items = doc.get("section_headers") or []
    if not isinstance(items, list):
        raise DataFileError(path, "'section_headers' must be a list", prefix + "section_headers")
    for i, entry in enumerate(items):
        require(entry, ("text",), path, f"{prefix}section_headers[{i}]")
        out[header_key(str(entry["text"]))] = bool(entry.get("ends_article", False))
    return out


def build_vocab(rules: Rules) -> CleanVocab:
    """Parse and validate the cleaner's keys of ``boilerplate.yaml`` (cached per data version)."""
    key = (str(rules.data_dir), rules.version)
    if key in _CACHE:
        return _CACHE[key]
    path = rules.data_dir / "boilerplate.yaml"
    doc: Any = rules.raw.get("boilerplate") or {}
    if not isinstance(doc, dict):
        raise DataFileError(path, "top level must be a mapping")
    headers = {header_key(h.text): h.ends_article for h in rules.section_headers}
    chrome = {header_key(s) for s in rules.chrome_lines}
    chrome_patterns = _patterns(doc, "chrome_patterns", path)
    inline = _patterns(doc, "inline_link_patterns", path)
    captions = _patterns(doc, "caption_patterns", path)
    datelines = _patterns(doc, "datelines", path)
    bylines = _patterns(doc, "byline_patterns", path)
    header_patterns = []
    items = doc.get("section_header_patterns") or []
    if not isinstance(items, list):
        raise DataFileError(path, "'section_header_patterns' must be a list", "section_header_patterns")
    for i, entry in enumerate(items):
        label = f"section_header_patterns[{i}]"
        require(entry, ("pattern",), path, label)
        header_patterns.append(
            (compile_pattern(entry["pattern"], path, label), bool(entry.get("ends_article")))
        )
    outlets = doc.get("outlets") or []
    if not isinstance(outlets, list):
        raise DataFileError(path, "'outlets' must be a list", "outlets")
    for i, entry in enumerate(outlets):
        require(entry, ("id",), path, f"outlets[{i}]")
        prefix = f"outlets[{i}] ({entry['id']})."
        for h, ends in _headers(entry, path, prefix).items():
            headers.setdefault(h, ends)
        chrome.update(header_key(s) for s in _strings(entry, "chrome_lines", path, prefix))
        datelines += _patterns(entry, "datelines", path, prefix)
        inline += _patterns(entry, "inline_link_patterns", path, prefix)
    vocab = CleanVocab(
        section_headers=headers,
        chrome_lines=chrome,
        chrome_patterns=chrome_patterns,
        follow_patterns=list(rules.follow_patterns),
        inline_link_patterns=inline,
        caption_patterns=captions,
        datelines=datelines,
        byline_patterns=bylines,
        header_patterns=header_patterns,
    )
    _CACHE[key] = vocab
    return vocab
