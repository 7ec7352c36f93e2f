"""Browse indexes (pure) and the article-page taxonomy links in each edition."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from conftest import REPO
from news_digest import browse
from news_digest.model import EntityMention, Metadata, ResolvedDate, TopicScore


@dataclass
class FakeDigest:
    slug: str
    meta: Metadata
    topics: list = field(default_factory=list)
    entities: list = field(default_factory=list)


class Item:
    """An article stand-in that counts how often the indexes look at it."""

    reads = 0

    def __init__(self, slug, date=None, topics=(), entities=()):
        meta = Metadata(title=slug, display_title=slug, title_source="dump", date=ResolvedDate(date, "high"))
        self._digest = FakeDigest(
            slug, meta, [TopicScore(t, 1.0) for t in topics], [EntityMention(e, 1, [1]) for e in entities]
        )

    @property
    def digest(self):
        Item.reads += 1
        return self._digest


def test_period_index_buckets_and_order():
    items = browse.newest_first(
        [
            Item("b", "2023-06-01"),
            Item("a", "2023-06-01"),
            Item("c", "2023-07-15"),
            Item("u"),
            Item("d", "2024-04-11"),
        ]
    )
    assert [i._digest.slug for i in items] == ["d", "c", "a", "b", "u"]
    index = browse.build_period_index(items)
    assert [y.year for y in index.sorted_years()] == ["2024", "2023"]
    y2023 = index.years["2023"]
    assert [i._digest.slug for i in y2023.articles] == ["c", "a", "b"]
    assert [m.parts for m in y2023.sorted_children()] == [("2023", "07"), ("2023", "06")]
    assert [i._digest.slug for i in y2023.children["06"].children["01"].articles] == ["a", "b"]
    assert [i._digest.slug for i in index.undated] == ["u"]
    assert [p.rel for p in index.all_periods()][:3] == [
        "dates/2024/index.html",
        "dates/2024/04/index.html",
        "dates/2024/04/11/index.html",
    ]


def test_period_index_reads_each_article_once():
    """Linear: one look per article however many periods (Pelican's archives rescan the
    whole list for every year, month and day)."""
    items = [Item(f"s{i}", f"{2000 + i % 20}-{1 + i % 12:02d}-{1 + i % 28:02d}") for i in range(5000)]
    Item.reads = 0
    index = browse.build_period_index(items)
    assert Item.reads == len(items)
    assert len(index.all_periods()) > 300
    assert sum(len(y.articles) for y in index.years.values()) == len(items)


def test_entity_index_cooccurrence(rules):
    items = [
        Item("a", "2024-01-02", entities=["japan", "united-states", "fumio-kishida"]),
        Item("b", "2024-01-03", entities=["japan", "united-states"]),
        Item("c", "2024-01-04", entities=["japan", "not-in-gazetteer"]),
    ]
    pages = {p.entity.id: p for p in browse.build_entity_index(browse.newest_first(items), rules.entities)}
    assert set(pages) == {"japan", "united-states", "fumio-kishida"}
    assert [i._digest.slug for i in pages["japan"].articles] == ["c", "b", "a"]
    assert [(e.id, n) for e, n in pages["japan"].related] == [("united-states", 2), ("fumio-kishida", 1)]
    groups = dict(browse.group_by_type(list(pages.values())))
    assert set(groups) == {"country", "person"}


def test_entity_cooccurrence_counts_every_pair_of_mentions(rules):
    """Related entities as the product of the article × entity matrix give what counting
    every ordered pair of mentions per article gives (an id listed twice counts twice,
    never as its own relative), on 400 random articles over the gazetteer."""
    import random
    from collections import Counter
    from itertools import permutations

    rng = random.Random(8)
    known = sorted(rules.entities.by_id)[:60]
    items = [
        Item(
            f"a{i}",
            f"2024-01-{1 + i % 28:02d}",
            entities=rng.choices(known + ["not-in-gazetteer"], k=rng.randint(0, 12)),
        )
        for i in range(400)
    ]
    pages = {p.entity.id: p for p in browse.build_entity_index(items, rules.entities)}
    pairs = Counter()
    for item in items:
        pairs.update(permutations([e.id for e in item._digest.entities if e.id in rules.entities.by_id], 2))
    for entity_id, page in pages.items():
        expected = sorted(
            ((o, n) for (e, o), n in pairs.items() if e == entity_id and o != entity_id),
            key=lambda kv: (-kv[1], kv[0]),
        )[: browse.MAX_RELATED_ENTITIES]
        assert [(e.id, n) for e, n in page.related] == expected
    assert sum(len(p.related) for p in pages.values()) > 500


def test_topic_index_keeps_taxonomy_order(rules):
    items = [Item("a", topics=["space", "defence"]), Item("b", topics=["defence"])]
    pages = browse.build_topic_index(items, rules.topics)
    assert [p.topic.id for p in pages] == ["defence", "space"]
    assert [p.rel for p in pages] == ["topics/quoc-phong/index.html", "topics/vu-tru/index.html"]


@pytest.fixture(scope="module")
def theme_env():
    from jinja2 import Environment, FileSystemLoader
    from news_digest import i18n

    env = Environment(
        loader=FileSystemLoader(str(REPO / "themes" / "digest" / "templates")),
        extensions=["jinja2.ext.i18n"],
        autoescape=True,
    )
    i18n.install(env, REPO / "themes" / "digest" / "translations")
    return env


@pytest.mark.parametrize(
    "extra, prefix, name",
    [
        ({"page_lang": "vi", "edition_prefix": ""}, "", "Quốc phòng"),
        ({"page_lang": "en", "edition_prefix": "en/"}, "en/", "Defence"),
        ({}, "en/", "Defence"),  # an English article page without edition context
    ],
)
def test_article_taxonomy_links_follow_the_edition(theme_env, rules, extra, prefix, name):
    lang = extra.get("page_lang", "en")
    item = Item("x", "2023-06-01", topics=["defence"], entities=["japan"])
    article = type("A", (), {"digest": item._digest, "lang": lang})()
    html = theme_env.get_template("partials/article_taxonomy.html").render(
        article=article,
        SITEURL="../..",
        DEFAULT_LANG="vi",
        nd_topics=rules.topics.by_id,
        nd_entities=rules.entities.by_id,
        nd_dirs={"topics": "topics", "entities": "entities", "dates": "dates"},
        **extra,
    )
    assert f'href="../../{prefix}topics/quoc-phong/"' in html and name in html
    assert f'href="../../{prefix}entities/japan/"' in html
    assert f'href="../../{prefix}dates/2023/06/01/"' in html
    assert ("Japan" in html) == (lang == "en")
