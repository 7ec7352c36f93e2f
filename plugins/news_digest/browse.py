"""Browse indexes: which articles go on each topic, entity and date page. No Pelican here.

Works on any objects that carry a :class:`~news_digest.model.DigestArticle` as ``.digest``
(Pelican articles in the build, plain wrappers in tests). Every index is built in one
pass over the articles, after one sort: Pelican's own period archives filter the whole
article list once per year, month and day, which is quadratic on a large corpus.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .taxonomy import ENTITY_TYPES, Entity, Gazetteer, Topic, TopicSet

#: Relative paths (in every edition) of the browse pages.
TOPICS_DIR = "topics"
ENTITIES_DIR = "entities"
DATES_DIR = "dates"
UNDATED = "undated"
MAX_RELATED_ENTITIES = 20


def date_parts(article: Any) -> tuple[str, str, str] | None:
    """(year, month, day) of an article's resolved date, None when undated."""
    value = article.digest.meta.date.value
    if not value or len(value) < 10:
        return None
    return value[:4], value[5:7], value[8:10]


def newest_first(articles: Iterable[Any]) -> list[Any]:
    """Dated articles newest first, then undated ones; ties by slug for stable pages."""
    items = list(articles)
    items.sort(key=lambda a: a.digest.slug)
    items.sort(key=lambda a: a.digest.meta.date.value or "", reverse=True)
    items.sort(key=lambda a: a.digest.meta.date.value is None)
    return items


def topic_rel(topic: Topic) -> str:
    return f"{TOPICS_DIR}/{topic.slug}/index.html"


def entity_rel(entity: Entity) -> str:
    return f"{ENTITIES_DIR}/{entity.slug}/index.html"


def period_rel(parts: Sequence[str] | None) -> str:
    """dates/2023/, dates/2023/06/, dates/2023/06/01/, dates/undated/ or dates/ (index)."""
    if parts is None:
        return f"{DATES_DIR}/{UNDATED}/index.html"
    return "/".join([DATES_DIR, *parts, "index.html"])


@dataclass
class Period:
    """One date archive page: a year, a month or a day."""

    parts: tuple[str, ...]  # ("2023",) / ("2023", "06") / ("2023", "06", "01")
    articles: list[Any] = field(default_factory=list)
    children: dict[str, Period] = field(default_factory=dict)  # months of a year, days of a month

    @property
    def kind(self) -> str:
        return ("year", "month", "day")[len(self.parts) - 1]

    @property
    def rel(self) -> str:
        return period_rel(self.parts)

    @property
    def year(self) -> str:
        return self.parts[0]

    @property
    def month(self) -> str | None:
        return self.parts[1] if len(self.parts) > 1 else None

    @property
    def day(self) -> str | None:
        return self.parts[2] if len(self.parts) > 2 else None

    def sorted_children(self) -> list[Period]:
        return [self.children[k] for k in sorted(self.children, reverse=True)]

    def fingerprint_view(self) -> tuple:
        """What date templates show of a period (writer.py): its parts, its article
        count and its children's counts, not the articles (listed from the paginated
        page). A change in one article then re-renders only the page that lists it."""
        return (self.parts, len(self.articles), [(c.parts, len(c.articles)) for c in self.sorted_children()])


@dataclass
class PeriodIndex:
    years: dict[str, Period] = field(default_factory=dict)
    undated: list[Any] = field(default_factory=list)

    def sorted_years(self) -> list[Period]:
        return [self.years[k] for k in sorted(self.years, reverse=True)]

    def fingerprint_view(self) -> tuple:
        """What the dates index shows: the years and months with their counts."""
        return ([y.fingerprint_view() for y in self.sorted_years()], len(self.undated))

    def all_periods(self) -> list[Period]:
        out: list[Period] = []
        for year in self.sorted_years():
            out.append(year)
            for month in year.sorted_children():
                out.append(month)
                out.extend(month.sorted_children())
        return out


def build_period_index(articles: Sequence[Any]) -> PeriodIndex:
    """Year → month → day buckets in one pass over articles already sorted newest first."""
    index = PeriodIndex()
    for article in articles:
        parts = date_parts(article)
        if parts is None:
            index.undated.append(article)
            continue
        y, m, d = parts
        year = index.years.get(y)
        if year is None:
            year = index.years[y] = Period((y,))
        month = year.children.get(m)
        if month is None:
            month = year.children[m] = Period((y, m))
        day = month.children.get(d)
        if day is None:
            day = month.children[d] = Period((y, m, d))
        year.articles.append(article)
        month.articles.append(article)
        day.articles.append(article)
    return index


@dataclass
class TopicPage:
    topic: Topic
    articles: list[Any]

    @property
    def rel(self) -> str:
        return topic_rel(self.topic)

    def fingerprint_view(self) -> tuple:
        """What templates show of a topic page besides its paginated list (writer.py)."""
        return (self.topic, len(self.articles))


def build_topic_index(articles: Sequence[Any], topics: TopicSet) -> list[TopicPage]:
    """Topics that have articles, in taxonomy order, each with its articles (input order)."""
    buckets: dict[str, list[Any]] = {}
    for article in articles:
        for score in article.digest.topics:
            buckets.setdefault(score.id, []).append(article)
    return [TopicPage(t, buckets[t.id]) for t in topics.topics if t.id in buckets]


@dataclass
class EntityPage:
    entity: Entity
    articles: list[Any]
    mentions: int = 0
    related: list[tuple[Entity, int]] = field(default_factory=list)  # co-occurring, by shared articles

    @property
    def rel(self) -> str:
        return entity_rel(self.entity)

    def fingerprint_view(self) -> tuple:
        """What templates show of an entity page besides its paginated list (writer.py)."""
        return (self.entity, len(self.articles), self.mentions, self.related)


def build_entity_index(articles: Sequence[Any], gazetteer: Gazetteer) -> list[EntityPage]:
    """Entities that have articles, each with its articles and co-occurring entities.

    Sorted by number of articles, then English name, so both editions list them alike.
    """
    import numpy as np
    from scipy.sparse import csr_matrix

    pages: dict[str, EntityPage] = {}
    column: dict[str, int] = {}  # entity id → column of the article × entity matrix
    indptr, indices = [0], []
    for article in articles:
        for mention in article.digest.entities:
            if mention.id not in gazetteer.by_id:
                continue
            page = pages.get(mention.id)
            if page is None:
                page = pages[mention.id] = EntityPage(gazetteer.by_id[mention.id], [])
                column[mention.id] = len(column)
            page.articles.append(article)
            page.mentions += mention.count
            indices.append(column[mention.id])
        indptr.append(len(indices))
    # Co-occurrences: entry (e, o) of MᵀM, M the article × entity matrix of mention
    # counts (an id listed twice in one article counts twice), is the number of
    # (e, o) pairs over all articles. As pairs counted in Python (~290 an article,
    # 2.9 million at 10,000 dumps) this took ~0.8 s of every build.
    ids = list(column)
    incidence = csr_matrix(
        (np.ones(len(indices), dtype=np.int64), indices, indptr), shape=(len(indptr) - 1, max(1, len(ids)))
    )
    incidence.sum_duplicates()
    together = (incidence.T @ incidence).tocsr()
    for row, entity_id in enumerate(ids):
        cells = together.indices[together.indptr[row] : together.indptr[row + 1]].tolist()
        counts = together.data[together.indptr[row] : together.indptr[row + 1]].tolist()
        # An entity listed twice in one article is not its own relative.
        related = [(ids[c], n) for c, n in zip(cells, counts, strict=True) if c != row and n]
        related.sort(key=lambda kv: (-kv[1], kv[0]))
        pages[entity_id].related = [
            (gazetteer.by_id[other], n) for other, n in related[:MAX_RELATED_ENTITIES]
        ]
    return sorted(pages.values(), key=lambda p: (-len(p.articles), p.entity.name_en.casefold(), p.entity.id))


def group_by_type(pages: Sequence[EntityPage]) -> list[tuple[str, list[EntityPage]]]:
    """Entity pages grouped country, person, organisation, place (empty groups left out)."""
    groups: dict[str, list[EntityPage]] = {t: [] for t in ENTITY_TYPES}
    for page in pages:
        groups.setdefault(page.entity.type, []).append(page)
    return [(t, ps) for t, ps in groups.items() if ps]
