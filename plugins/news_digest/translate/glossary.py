"""Last link of the chain: no translation, an English summary built from glossaries.

It never presents Vietnamese text (or invented English text) as a translation: the
result lists only facts whose English names come from the YAML data (outlet, topics,
entities) and the date, under a clear "not yet translated" notice; the page links the
Vietnamese original.
"""

from __future__ import annotations

import datetime as _dt
import functools
from dataclasses import dataclass, field
from html import escape
from typing import Any

from babel.dates import format_date

from ..model import DigestArticle, Translation
from .base import NONE

NOTICE = "not-translated"
MAX_ENTITIES = 8


@dataclass
class Glossary:
    """id → English name, for topics and entities (from topics.yaml / entities.yaml)."""

    topics: dict[str, str] = field(default_factory=dict)
    entities: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_yaml_docs(cls, topics_doc: Any = None, entities_doc: Any = None) -> Glossary:
        return cls(_english_names(topics_doc, "topics"), _english_names(entities_doc, "entities"))


def _english_names(doc: Any, key: str) -> dict[str, str]:
    """Accepts ``{key: [{id, name_en, …}]}``, a bare list of such mappings, or
    ``{id: {name_en: …}}``; entries without an English name are left out (never guessed)."""
    if isinstance(doc, dict) and key in doc:
        doc = doc[key]
    items: list[tuple[str, Any]] = []
    if isinstance(doc, list):
        items = [(str(e.get("id")), e) for e in doc if isinstance(e, dict) and e.get("id")]
    elif isinstance(doc, dict):
        items = [(str(k), v) for k, v in doc.items() if isinstance(v, dict)]
    return {i: str(e["name_en"]) for i, e in items if isinstance(e.get("name_en"), str) and e["name_en"]}


@functools.lru_cache(maxsize=8192)
def english_date(value: str | None) -> str | None:
    """ISO date → "June 1, 2023" (Babel, English locale).

    Memoized: Babel formats a date in ~50 µs (profiled), each English article asks twice,
    and a corpus has far fewer distinct days than articles."""
    if not value:
        return None
    return format_date(_dt.date.fromisoformat(value), format="long", locale="en")


class GlossaryTranslator:
    """Always answers, with provenance ``none``: the chain's honest fallback."""

    name = "glossary"

    def __init__(self, glossary: Glossary | None = None):
        self.glossary = glossary or Glossary()

    def facts(self, article: DigestArticle) -> list[tuple[str, str]]:
        """(label, English value) pairs known from the glossaries and metadata."""
        meta = article.meta
        facts = [("Outlet", meta.outlet.name_en)]
        date = english_date(meta.date.value)
        facts.append(("Date", date or "unknown"))
        topics = [self.glossary.topics[t.id] for t in article.topics if t.id in self.glossary.topics]
        if topics:
            facts.append(("Topics", ", ".join(topics)))
        mentions = sorted(article.entities, key=lambda e: -e.count)
        names = [self.glossary.entities[e.id] for e in mentions if e.id in self.glossary.entities]
        if names:
            facts.append(("Mentioned", ", ".join(names[:MAX_ENTITIES])))
        return facts

    def translate(self, article: DigestArticle) -> Translation:
        facts = self.facts(article)
        date = english_date(article.meta.date.value)
        outlet = article.meta.outlet
        source = "an unknown outlet" if outlet.id == "unknown" else outlet.name_en
        title = f"Not yet translated: article from {source}" + (f", {date}" if date else "")
        items = "".join(
            f'<li><span class="fact-label">{escape(label)}:</span> {escape(value)}</li>'
            for label, value in facts
        )
        return Translation(
            provenance=NONE,
            title=title,
            paragraphs=[f"{label}: {value}" for label, value in facts],
            translator=self.name,
            notice=NOTICE,
            html=f'<ul class="glossary-summary">{items}</ul>',
        )
