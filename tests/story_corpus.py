"""A labelled synthetic corpus for the story stage, built from the real seed text.

Events draw their sentences from the gold body lines and related-news teasers of the
seeds (real Vietnamese news prose), mutated per event so two events that start from the
same seed sentence still differ in names and details. Each event is covered by one or
more outlets that paraphrase it: sentences shuffled, some dropped, unrelated ones added,
a few syllables changed, an outlet dateline prefix ("VOV.VN - ") and a byline suffix.
Some events get a "sibling": the same participants (entities) a month later, with
other text — the grouping must keep them apart; a few get a same-week sibling (a hard
negative that only the text can separate). Used by tests/test_stories.py and
tests/bench/bench_stories.py.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
from dataclasses import dataclass
from pathlib import Path

from news_digest.stories import StoryInput, split_sentences

OUTLETS = [
    ("VTV", "Theo vtv.vn"),
    ("Vietnam+", "(TTXVN/Vietnam+)"),
    ("VOV", "VOV.VN -"),
    ("Báo Quốc tế", "(theo Kyodo, AFP)"),
    ("Tuổi Trẻ", "TTO -"),
    ("Thanh Niên", "Theo Thanh Niên"),
    ("VnExpress", "Theo VnExpress"),
    ("Dân trí", "(Dân trí) -"),
    ("Nhân Dân", "NDO -"),
    ("Lao Động", "Theo Lao Động"),
]
COMMON_ENTITIES = ["viet-nam", "united-states", "japan", "china", "russia"]


def load_seed_sentences(gold_dir: Path) -> list[str]:
    """Body sentences and long teaser lines of the gold files (real news prose)."""
    sentences: list[str] = []
    for path in sorted(gold_dir.glob("*.gold.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        for line in doc["lines"]:
            text = line["text"].strip(" |")
            if line["label"] == "body":
                sentences.extend(s for s in split_sentences(text) if len(s.split()) >= 6)
            elif line["label"] == "boilerplate" and len(text.split()) >= 10:
                sentences.append(text)
    return sentences


@dataclass
class Corpus:
    inputs: list[StoryInput]
    gold: dict[str, str]  # article id -> event label
    siblings: list[tuple[str, str]]  # (event, its same-participants event a month later)


def _mutate(sentence: str, vocab: list[str], rate: float, rng: random.Random) -> str:
    words = sentence.split()
    return " ".join(rng.choice(vocab) if rng.random() < rate else w for w in words)


def _name(rng: random.Random, vocab: list[str]) -> str:
    return " ".join(rng.choice(vocab).capitalize() for _ in range(2))


def make_corpus(
    seed_sentences: list[str],
    n_articles: int,
    seed: int = 7,
    start: dt.date = dt.date(2016, 1, 1),
    years: float = 9.0,
    entity_pool: int = 400,
    sibling_rate: float = 0.1,
    same_week_rate: float = 0.05,
    undated_rate: float = 0.03,
    rewrite_rate: float = 0.1,
) -> Corpus:
    """About ``n_articles`` articles over ``years`` years, labelled with their event."""
    rng = random.Random(seed)
    vocab = sorted({w for s in seed_sentences for w in re.findall(r"\w+", s.lower())})
    days = int(365 * years)
    inputs: list[StoryInput] = []
    gold: dict[str, str] = {}
    siblings: list[tuple[str, str]] = []
    event_no = 0

    def new_event(date: dt.date, entities: frozenset[str]) -> list[str]:
        name = _name(rng, vocab)
        place = _name(rng, vocab)
        core = [_mutate(s, vocab, 0.25, rng) for s in rng.sample(seed_sentences, rng.randint(5, 9))]
        core[0] = f"Ngày {date.day}/{date.month}, {name} đã đến {place}. " + core[0]
        for k in range(1, len(core), 2):
            core[k] = core[k] + f" Ông {name} nhấn mạnh điều này tại {place}."
        return core

    def cover(label: str, date: dt.date, entities: frozenset[str], core: list[str], n: int) -> None:
        for outlet, signature in rng.sample(OUTLETS, n):
            sentences = [_mutate(s, vocab, rewrite_rate, rng) for s in core]
            rng.shuffle(sentences)
            for _ in range(rng.randint(0, 2)):
                if len(sentences) > 4:
                    sentences.pop(rng.randrange(len(sentences)))
            for _ in range(rng.randint(0, 2)):
                extra = _mutate(rng.choice(seed_sentences), vocab, 0.3, rng)
                sentences.insert(rng.randrange(len(sentences) + 1), extra)
            if signature.endswith("-"):
                sentences[0] = f"{signature} {sentences[0]}"
            else:
                sentences.append(signature)
            ents = set(entities)
            if len(ents) > 2 and rng.random() < 0.3:
                ents.discard(rng.choice(sorted(ents)))  # entity linking missed one
            if rng.random() < 0.2:
                ents.add(f"ent-{rng.randrange(entity_pool)}")
            undated = rng.random() < undated_rate
            art_date = None if undated else date + dt.timedelta(days=rng.choice([0, 0, 1]))
            art_id = f"{label}/{outlet}"
            title = sentences[0][:80]
            inputs.append(StoryInput(art_id, title, outlet, art_date, frozenset(ents), "\n".join(sentences)))
            gold[art_id] = label

    while len(inputs) < n_articles:
        event_no += 1
        label = f"ev{event_no:05d}"
        date = start + dt.timedelta(days=rng.randrange(days))
        ents = frozenset(
            rng.sample(COMMON_ENTITIES, rng.randint(1, 2))
            + [f"ent-{rng.randrange(entity_pool)}" for _ in range(rng.randint(1, 3))]
        )
        n = rng.choice([1, 1, 1, 2, 2, 3, 4])
        cover(label, date, ents, new_event(date, ents), n)
        if rng.random() < sibling_rate:
            sib = label + "-month-later"
            later = date + dt.timedelta(days=rng.randint(25, 35))
            cover(sib, later, ents, new_event(later, ents), rng.choice([1, 2, 3]))
            siblings.append((label, sib))
        if rng.random() < same_week_rate:
            # Hard negative: same participants, a day or three later, another event.
            near = label + "-same-week"
            later = date + dt.timedelta(days=rng.randint(1, 3))
            cover(near, later, ents, new_event(later, ents), rng.choice([1, 2]))
    return Corpus(inputs, gold, siblings)
