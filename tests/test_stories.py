"""The story stage: seeds, generated near-duplicates, events a month apart, chaining,
undated articles, the labelled synthetic set (pairwise P/R/F1), the adapter, the site
pages and `news-digest inspect DIR`.

Entity linking lands on another branch, so the seed tests give each seed a small hand
list of entity ids (what the linker should find in its body); dates are the gold's
``best_publication_date_guess``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import DUMPS, GOLD, build_site
from news_digest.model import EntityMention, ResolvedDate
from news_digest.stories import (
    StoryInput,
    StorySettings,
    blocking_keys,
    candidate_pairs,
    group_stories,
    normalize_text,
    pairwise_scores,
    split_sentences,
    story_inputs_from_articles,
)
from story_corpus import load_seed_sentences, make_corpus

SEED_ENTITIES = {
    "000": {
        "united-states",
        "japan",
        "lloyd-austin",
        "hayashi-yoshimasa",
        "hamada-yasukazu",
        "fumio-kishida",
        "australia",
        "south-korea",
    },
    "001": {"united-states", "japan", "fumio-kishida", "joe-biden", "jake-sullivan", "aukus", "australia"},
    "002": {"united-states", "japan"},
    "003": {
        "united-states",
        "japan",
        "shinzo-abe",
        "donald-trump",
        "ashton-carter",
        "tomomi-inada",
        "barack-obama",
    },
    "004": {"united-states", "japan", "fumio-kishida", "joe-biden", "australia", "nasa", "ferdinand-marcos"},
}


def gold_input(doc: dict, key: str, **changes) -> StoryInput:
    meta = doc["meta"]
    inp = StoryInput(
        id=key,
        title=meta["title"] or "",
        outlet=meta["source_outlet"]["name"] or "unknown",
        date=dt.date.fromisoformat(meta["best_publication_date_guess"]["date"]),
        entity_ids=frozenset(SEED_ENTITIES[key]),
        text="\n".join(ln["text"] for ln in doc["lines"] if ln["label"] == "body"),
    )
    return dataclasses.replace(inp, **changes)


@pytest.fixture(scope="module")
def seed_inputs(gold):
    return {stem[:3]: gold_input(doc, stem[:3]) for stem, doc in gold.items()}


@pytest.fixture(scope="module")
def seed_sentences():
    return load_seed_sentences(GOLD)


def groups(stories) -> list[set[str]]:
    return [set(s.member_ids) for s in stories]


# --------------------------------------------------------------------------- seeds


def test_seeds_summit_coverage_is_one_story_and_others_stay_apart(seed_inputs):
    stories = group_stories(list(seed_inputs.values()))
    assert groups(stories) == [{"001", "004"}]
    story = stories[0]
    assert story.title in {seed_inputs["001"].title, seed_inputs["004"].title}
    assert story.title == seed_inputs[story.central].title
    assert set(story.outlets) == {seed_inputs["001"].outlet, seed_inputs["004"].outlet}
    adds = {m.id: m.adds for m in story.members}
    # NASA and the Congress address are only in Vietnam+'s report; AUKUS only in VTV's.
    assert any("NASA" in s for s in adds["004"]) and not any("NASA" in s for s in adds["001"])
    assert any("AUKUS" in s for s in adds["001"]) and not any("AUKUS" in s for s in adds["004"])


def test_same_participants_weeks_apart_are_different_events(seed_inputs):
    """000 (Austin in Tokyo, 1 June 2023) and 002 (deterrence dialogue, 29 June 2023)
    share entities and topic; with identical entity sets they still stay apart."""
    ents = frozenset({"united-states", "japan", "fumio-kishida"})
    a = dataclasses.replace(seed_inputs["000"], entity_ids=ents)
    b = dataclasses.replace(seed_inputs["002"], entity_ids=ents)
    assert group_stories([a, b]) == []
    # Even the very same text a month later (a yearly dialogue, say) is another event.
    later = dataclasses.replace(
        seed_inputs["004"], id="004-next-month", date=seed_inputs["004"].date + dt.timedelta(days=30)
    )
    assert group_stories([seed_inputs["004"], later]) == []


def test_same_day_same_entities_only_text_tells_events_apart(seed_inputs, seed_sentences):
    """All five seeds on one day, all naming only the US and Japan, among 300 other
    US–Japan articles: the text alone must keep the summit pair and nothing else."""
    both = frozenset({"united-states", "japan"})
    day = dt.date(2023, 6, 1)
    seeds = [dataclasses.replace(v, date=day, entity_ids=both) for v in seed_inputs.values()]
    background = [
        dataclasses.replace(b, entity_ids=b.entity_ids | both)
        for b in make_corpus(seed_sentences, n_articles=300, seed=3).inputs
    ]
    stories = group_stories(seeds + background)
    seed_ids = set(seed_inputs)
    assert [set(s.member_ids) for s in stories if set(s.member_ids) & seed_ids] == [{"001", "004"}]


def test_undated_articles_need_strong_text_and_entities(seed_inputs):
    undated = {k: dataclasses.replace(v, date=None) for k, v in seed_inputs.items()}
    # Topic-level similarity is not enough without a date: nothing groups.
    assert group_stories(list(undated.values())) == []
    # A near-copy without a date joins when entities agree …
    copy = dataclasses.replace(paraphrase(seed_inputs["004"], random.Random(1)), date=None)
    assert groups(group_stories([seed_inputs["004"], copy])) == [{"004", copy.id}]
    # … and is left alone when entities are unknown.
    bare = dataclasses.replace(copy, entity_ids=frozenset())
    assert group_stories([seed_inputs["004"], bare]) == []


# --------------------------------------------------------------------------- near-duplicates


def paraphrase(inp: StoryInput, rng: random.Random, extra: str = "", prefix: str = "VOV.VN - ") -> StoryInput:
    """Another outlet's take: sentences shuffled, one dropped, one added, dateline prefix."""
    sentences = split_sentences(inp.text)
    rng.shuffle(sentences)
    sentences.pop()
    if extra:
        sentences.insert(rng.randrange(len(sentences)), extra)
    sentences[0] = prefix + sentences[0]
    return dataclasses.replace(
        inp,
        id=inp.id + "-paraphrase",
        outlet="VOV",
        title="Mỹ, Nhật công bố nâng cấp liên minh",
        date=inp.date + dt.timedelta(days=1) if inp.date else None,
        text="\n".join(sentences),
    )


def test_near_duplicates_from_other_outlets_join_and_adds_are_the_new_sentences(seed_inputs):
    extra = "Cuộc gặp diễn ra trong không khí thân mật tại Phòng Bầu dục của Nhà Trắng ở thủ đô Washington."
    para = paraphrase(seed_inputs["004"], random.Random(3), extra=extra)
    inputs = [*seed_inputs.values(), para]
    stories = group_stories(inputs)
    assert groups(stories) == [{"001", "004", para.id}]
    adds = {m.id: m.adds for m in stories[0].members}
    assert extra in adds[para.id]
    # Shuffled and prefixed sentences are not "new": the paraphrase adds only the extra.
    assert adds[para.id] == [extra]
    # Without entities, the near-copy still links on strong text similarity.
    bare = dataclasses.replace(para, entity_ids=frozenset())
    assert {"004", bare.id} <= groups(group_stories([seed_inputs["004"], bare]))[0]


def test_chains_do_not_glue_unrelated_ends(seed_sentences):
    """A~B~C~D (each sharing half its text with the next) must not make A and D one story."""
    pool = seed_sentences[:30]
    parts = [pool[k : k + 6] for k in range(0, 30, 6)]
    ents = frozenset({"united-states", "japan"})
    day = dt.date(2024, 4, 11)
    docs = [
        StoryInput(f"c{k}", f"c{k}", f"outlet{k}", day, ents, "\n".join(parts[k] + parts[k + 1]))
        for k in range(4)
    ]
    stories = group_stories(docs)
    assert stories, "neighbours in the chain share half their text and should link"
    for s in stories:
        assert not {"c0", "c3"} <= set(s.member_ids)


# --------------------------------------------------------------------------- labelled set


def test_labelled_synthetic_set_pairwise_scores(seed_sentences, record_property, capsys):
    corpus = make_corpus(seed_sentences, n_articles=800, seed=11)
    stories = group_stories(corpus.inputs)
    score = pairwise_scores(stories, corpus.gold)
    line = f"stories on {len(corpus.inputs)} labelled synthetic articles: {score}"
    record_property("stories_pairwise", line)
    with capsys.disabled():  # shown by `pytest -q` too, not only on failure
        print("\n" + line)
    assert score.precision >= 0.95
    assert score.recall >= 0.90
    label_of = {m.id: corpus.gold[m.id] for s in stories for m in s.members}
    for event, sibling in corpus.siblings:
        for s in stories:
            labels = {label_of[i] for i in s.member_ids}
            assert not {event, sibling} <= labels, "same participants a month apart were merged"


def test_grouping_split_over_processes_equals_one_process(seed_sentences, monkeypatch):
    """Every split step (sentences, n-gram counts, pair cosines and links, adds) forks
    here, and the stories are identical, down to the float centralities and the adds
    (pair cosines in small chunks, sentences weighed a few blocks at a time: the same)."""
    import news_digest.forks as forks_mod
    import news_digest.stories as stories_mod

    corpus = make_corpus(seed_sentences, n_articles=800, seed=11)
    serial = group_stories(corpus.inputs)
    for name in ("INPUTS", "UNITS", "PAIRS", "BLOCKS"):
        monkeypatch.setattr(stories_mod, f"MIN_{name}_PER_PROCESS", 1)
    monkeypatch.setattr(stories_mod, "WEIGH_BLOCKS", 2)  # sentences weighed a few blocks at a time
    forked: list[str] = []
    real_fork = forks_mod.fork_with_result_file

    def counting_fork(kind):
        pid, path = real_fork(kind)
        if pid:
            forked.append(kind)
        return pid, path

    monkeypatch.setattr(forks_mod, "fork_with_result_file", counting_fork)
    split = group_stories(corpus.inputs, processes=3)
    assert sorted(set(forked)) == ["adds", "counts", "links", "sentences"]
    assert forked.count("links") == 2  # three parts: two children, the first part here
    assert split == serial
    assert any(m.adds for s in serial for m in s.members)


def test_pairwise_scores_counts_pairs():
    from news_digest.stories import Story, StoryMember

    def story(*ids):
        return Story("s", "t", ids[0], [StoryMember(i, i, "o", None, 0.0) for i in ids])

    gold = {"a": "x", "b": "x", "c": "x", "d": "y"}
    score = pairwise_scores([story("a", "b"), story("c", "d")], gold)
    assert (score.true_pairs, score.predicted_pairs, score.correct_pairs) == (3, 2, 1)
    assert score.precision == 0.5 and score.recall == pytest.approx(1 / 3)


def test_blocking_proposes_few_candidates(seed_sentences):
    corpus = make_corpus(seed_sentences, n_articles=2000, seed=5)
    settings = StorySettings.from_settings()
    from news_digest.stories import TextVectors

    vectors = TextVectors(settings)
    texts = [i.title + "\n" + i.text for i in corpus.inputs]
    X = vectors.fit_documents(vectors.counts(texts), range(len(texts)), len(texts))
    pairs = candidate_pairs(corpus.inputs, blocking_keys(corpus.inputs, X, settings.block_terms), settings)
    n = len(corpus.inputs)
    assert len(pairs) < 0.02 * n * (n - 1) / 2
    for i, j in pairs:
        a, b = corpus.inputs[i].date, corpus.inputs[j].date
        assert a is None or b is None or abs((a - b).days) <= settings.date_window_days


# --------------------------------------------------------------------------- text rules


def test_normalize_text_unifies_tone_placement_and_case():
    assert normalize_text("HÒA BÌNH") == normalize_text("hoà bình")
    assert normalize_text("Thủy lợi") == normalize_text("thuỷ lợi")
    assert normalize_text("Hoàng") == "hoàng"  # closed syllable: one spelling only
    assert normalize_text("Đà Nẵng", fold_diacritics=True) == "da nang"


def test_split_sentences_keeps_abbreviations_and_quotes():
    text = 'Ông Biden nói: "Đây là bước nâng cấp." Tại TP. Hồ Chí Minh, 10 người dự. Ngày 10/4 trời mưa'
    assert split_sentences(text) == [
        'Ông Biden nói: "Đây là bước nâng cấp."',
        "Tại TP. Hồ Chí Minh, 10 người dự.",
        "Ngày 10/4 trời mưa",
    ]


def test_settings_are_read_from_pelican_settings(seed_inputs):
    # A window of 0 days separates 001 (11/4) from a copy of 004 moved to 12/4.
    moved = dataclasses.replace(seed_inputs["004"], date=dt.date(2024, 4, 12))
    assert groups(group_stories([seed_inputs["001"], moved])) == [{"001", "004"}]
    assert group_stories([seed_inputs["001"], moved], {"NEWS_DIGEST_STORY_DATE_WINDOW_DAYS": 0}) == []


# --------------------------------------------------------------------------- adapter, site, CLI


def test_adapter_uses_resolved_dates_and_entity_ids(rules, gold):
    from news_digest.pipeline import process_dump

    digests = []
    for stem in sorted(gold):
        d = process_dump((DUMPS / f"{stem}.txt").read_bytes(), f"dumps/{stem}.txt", rules)
        guess = gold[stem]["meta"]["best_publication_date_guess"]["date"]
        d.meta.date = ResolvedDate(guess, "medium")
        d.entities = [EntityMention(e, 1) for e in sorted(SEED_ENTITIES[stem[:3]])]
        digests.append(d)
    inputs = story_inputs_from_articles(digests)
    assert inputs[1].date == dt.date(2024, 4, 11) and "joe-biden" in inputs[1].entity_ids
    assert "Tin cùng chuyên mục" not in inputs[1].text
    stories = group_stories(inputs)
    assert groups(stories) == [{"dumps/001_855c344d2a156454.txt", "dumps/004_f1c2a3039ebafd8a.txt"}]


COPY_OF_004 = "004_copy_vov"
XSS_LINE = (
    "Một nguồn tin cho biết <script>alert(1)</script> cuộc gặp & họp báo kéo dài hơn dự kiến tại Nhà Trắng."
)


def _content_with_a_copy(make_content) -> Path:
    """Seeds 004 and 002 plus a VOV-style rewrite of 004, all dated by editor sidecars."""
    text = (DUMPS / "004_f1c2a3039ebafd8a.txt").read_text(encoding="utf-8")
    lines = text.splitlines()
    lines[0] = "Mỹ, Nhật công bố nâng cấp liên minh quân sự"
    lines[2] = "VOV.VN - " + lines[2]
    lines[3:3] = ["", XSS_LINE]
    return make_content(
        seeds=["004_f1c2a3039ebafd8a", "002_1d216cd8c5788951"],
        extra={
            f"dumps/{COPY_OF_004}.txt": "\n".join(lines),
            f"dumps/{COPY_OF_004}.meta.yaml": "date: 2024-04-11\n",
            "dumps/004_f1c2a3039ebafd8a.meta.yaml": "date: 2024-04-11\n",
            "dumps/002_1d216cd8c5788951.meta.yaml": "date: 2023-06-29\n",
        },
    )


def test_story_pages_in_both_editions_and_article_links(make_content, tmp_path):
    out = build_site(_content_with_a_copy(make_content), tmp_path / "out")
    vi_pages = list(out.glob("stories/*/index.html"))
    assert len(vi_pages) == 1
    slug = vi_pages[0].parent.name
    en_page = out / "en" / "stories" / slug / "index.html"
    assert en_page.is_file()
    for page, vietnamplus in ((vi_pages[0], "Vietnam+ (TTXVN)"), (en_page, "VietnamPlus")):
        html = page.read_text(encoding="utf-8")
        assert vietnamplus in html and "VOV" in html
        assert "2024-04-11" in html
        assert "Lãnh đạo Mỹ và Nhật Bản công bố kế hoạch tăng cường hợp tác quân sự" in html
        assert 'hreflang="en"' in html and 'hreflang="vi"' in html
        assert "Mỹ và Nhật Bản tổ chức Đối thoại" not in html
        # The copy's extra sentence is what it adds, escaped like all dump text.
        assert "<script>alert" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt; cuộc gặp &amp; họp báo" in html
    for listing in (out / "stories" / "index.html", out / "en" / "stories" / "index.html"):
        assert f'stories/{slug}/"' in listing.read_text(encoding="utf-8")
    article = (
        out
        / "articles"
        / "lanh-dao-my-va-nhat-ban-cong-bo-ke-hoach-tang-cuong-hop-tac-quan-su"
        / "index.html"
    )
    html = article.read_text(encoding="utf-8")
    assert f"stories/{slug}/" in html
    assert "my-nhat-cong-bo-nang-cap-lien-minh-quan-su" in html  # links the other outlet's article
    other = out / "articles" / "my-va-nhat-ban-to-chuc-doi-thoai-ran-de-mo-rong" / "index.html"
    # The nav links the story listing; no story box links a story page.
    assert not re.search(r'stories/[^"/]+/"', other.read_text(encoding="utf-8"))


def test_inspect_directory_reports_stories(make_content):
    content = _content_with_a_copy(make_content)
    bin_ = Path(sys.executable).parent / "news-digest"
    res = subprocess.run(
        [str(bin_), "inspect", str(content / "dumps"), "--json"], capture_output=True, text=True
    )
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    assert len(doc["articles"]) == 3
    assert {a["source"] for a in doc["articles"]} >= {f"{COPY_OF_004}.txt", "004_f1c2a3039ebafd8a.txt"}
    assert len(doc["stories"]) == 1
    story = doc["stories"][0]
    assert {m["id"] for m in story["members"]} == {f"{COPY_OF_004}.txt", "004_f1c2a3039ebafd8a.txt"}
    assert story["central"] in {m["id"] for m in story["members"]}


@pytest.mark.parametrize(
    "name, value",
    [("NEWS_DIGEST_STORY_NGRAM_RANGE", [2, 1]), ("NEWS_DIGEST_STORY_TEXT_THRESHOLD", 1.5)],
)
def test_bad_story_settings_name_the_setting(name, value):
    with pytest.raises(ValueError, match=name):
        StorySettings.from_settings({name: value})


def test_story_cache_reuses_grouping_only_for_identical_inputs(seed_inputs, tmp_path):
    from news_digest.cache import load_stories, save_stories, stories_key

    inputs = list(seed_inputs.values())
    settings = StorySettings.from_settings({})
    key = stories_key(inputs, settings)
    assert load_stories(tmp_path, key) is None
    stories = group_stories(inputs, settings)
    save_stories(tmp_path, key, stories)
    assert load_stories(tmp_path, stories_key(list(inputs), settings)) == stories
    # Any field the grouping reads, or a setting, makes another key.
    changed = [dataclasses.replace(inputs[0], text=inputs[0].text + " Thêm."), *inputs[1:]]
    assert load_stories(tmp_path, stories_key(changed, settings)) is None
    assert stories_key(inputs, dataclasses.replace(settings, text_threshold=0.3)) != key
    (tmp_path / "stories.pickle").write_bytes(b"torn")
    assert load_stories(tmp_path, key) is None


@pytest.mark.parametrize(
    "n, index, limit, shown, more",
    [
        (5, 2, None, [0, 1, 3, 4], 0),  # no limit: every other member
        (5, 2, 8, [0, 1, 3, 4], 0),  # fewer others than the limit
        (20, 0, 4, [1, 2, 3, 4], 15),  # the first member: the next four
        (20, 19, 4, [15, 16, 17, 18], 15),  # the last: the four before it
        (20, 10, 4, [8, 9, 11, 12], 15),  # in the middle: two each side
        (20, 10, 3, [9, 11, 12], 16),  # odd: one more after
        (20, 1, 4, [0, 2, 3, 4], 15),  # near the start: the window stays inside the list
        (20, 10, 0, [], 19),
    ],
)
def test_story_box_lists_the_members_nearest_in_story_order(n, index, limit, shown, more):
    from news_digest.generators import StoryOthers

    entries = [{"id": i} for i in range(n)]
    box = StoryOthers(entries, index, limit)
    assert [e["id"] for e in box] == shown
    assert len(box) == len(shown) and box.more == more
    assert [e["id"] for e in (box[i] for i in range(len(box)))] == shown


def test_story_box_size_setting_caps_the_box_and_counts_the_rest(make_content, tmp_path):
    out = build_site(_content_with_a_copy(make_content), tmp_path / "out", NEWS_DIGEST_STORY_BOX_SIZE=0)
    for article in (
        out
        / "articles"
        / "lanh-dao-my-va-nhat-ban-cong-bo-ke-hoach-tang-cuong-hop-tac-quan-su"
        / "index.html",
        out
        / "en"
        / "articles"
        / "lanh-dao-my-va-nhat-ban-cong-bo-ke-hoach-tang-cuong-hop-tac-quan-su"
        / "index.html",
    ):
        html = article.read_text(encoding="utf-8")
        box = re.search(r'<aside class="story-link">(.*?)</aside>', html, re.S).group(1)
        assert "<li>" not in box and "stories/" in box
        assert re.search(r'class="story-more">(và 1 bài khác|and 1 more article)<', box), box


@pytest.mark.parametrize("value", [-1, 2.5, "8", True])
def test_bad_story_box_size_names_the_setting(value):
    from news_digest.generators import story_box_size

    with pytest.raises(ValueError, match="NEWS_DIGEST_STORY_BOX_SIZE"):
        story_box_size({"NEWS_DIGEST_STORY_BOX_SIZE": value})
    assert story_box_size({}) == 8 and story_box_size({"NEWS_DIGEST_STORY_BOX_SIZE": None}) is None


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"NEWS_DIGEST_STORY_TEXT_THRESHOLD": 0.6, "NEWS_DIGEST_STORY_STRONG_TEXT_THRESHOLD": 0.3},
        {"NEWS_DIGEST_STORY_MIN_SHARED_ENTITIES": 1, "NEWS_DIGEST_STORY_DATE_WINDOW_DAYS": 0},
    ],
)
def test_find_links_decides_every_pair_as_is_link_does(seed_sentences, overrides):
    """The numpy link rules give, pair for pair, what is_link gives: on a synthetic
    corpus with undated and entity-less articles, over all pairs of 300 articles and
    cosines spread over both thresholds (ties included)."""
    import numpy as np
    from news_digest.stories import LinkFacts, find_links, is_link

    settings = StorySettings.from_settings(overrides)
    corpus = make_corpus(seed_sentences, n_articles=300, seed=11)
    rng = random.Random(4)
    inputs = [
        dataclasses.replace(
            inp,
            date=None if rng.random() < 0.15 else inp.date,
            entity_ids=frozenset() if rng.random() < 0.1 else inp.entity_ids,
        )
        for inp in corpus.inputs
    ]
    assert any(i.date is None for i in inputs) and any(not i.entity_ids for i in inputs)
    pairs = np.array([(i, j) for i in range(len(inputs)) for j in range(i + 1, len(inputs))], dtype=np.int64)
    marks = [settings.text_threshold, settings.strong_text_threshold]
    cosines = np.array(
        [rng.choice(marks) if rng.random() < 0.1 else rng.random() for _ in range(len(pairs))],
        dtype=np.float32,
    )
    found = find_links(LinkFacts.of(inputs), pairs, cosines, settings)
    floor = min(marks)
    expected = [
        (i, j, c)
        for (i, j), c in zip(pairs.tolist(), cosines.tolist(), strict=True)
        if c >= floor and is_link(inputs[i], inputs[j], c, settings)
    ]
    assert found == expected
    assert 100 < len(expected) < len(pairs) / 2


def test_pair_cosines_are_dot_products_of_the_rows(seed_sentences):
    """Each pair's value is the float64 dot product of its two TF-IDF rows, rounded to
    float32: pairs in any order (runs of one first row, and first rows out of order), a
    row paired with itself, and an article with no text (an empty row)."""
    import numpy as np
    from news_digest.stories import TextVectors, pair_cosines

    corpus = make_corpus(seed_sentences, n_articles=60, seed=5)
    texts = [inp.text for inp in corpus.inputs] + [""]
    vectors = TextVectors(StorySettings.from_settings({}))
    X = vectors.fit_documents(vectors.counts(texts), list(range(len(texts))), len(texts))
    rng = random.Random(2)
    pairs = np.array(
        [(i, j) for i in range(len(texts)) for j in range(len(texts)) if rng.random() < 0.3]
        + [(7, 7), (60, 3), (3, 60), (59, 0), (0, 59)],
        dtype=np.int64,
    )
    np.random.default_rng(2).shuffle(pairs[:200])  # runs of one first row are not required
    dense = X.toarray().astype(np.float64)
    expected = np.array([dense[i] @ dense[j] for i, j in pairs.tolist()]).astype(np.float32)
    got = pair_cosines(X, pairs)
    assert got.dtype == np.float32 and np.array_equal(got, expected)
    assert got[len(pairs) - 5] == pytest.approx(1.0)  # a row with itself
    assert got[-4] == got[-3] == 0.0  # the empty text
    assert len(pair_cosines(X, np.zeros((0, 2), dtype=np.int64))) == 0


def _cluster_links_by_definition(n, links, dates, settings):
    """cluster_links written out plainly: strongest link first, merge two groups when their
    span allows and enough of the article pairs across them are links (counted pair by pair)."""
    linked = {frozenset((i, j)) for i, j, _ in links}
    groups = {i: [i] for i in range(n)}
    where = list(range(n))
    for i, j, _ in sorted(links, key=lambda t: (-t[2], t[0], t[1])):
        gi, gj = where[i], where[j]
        if gi == gj:
            continue
        a, b = groups[gi], groups[gj]
        if len(a) > len(b):
            gi, gj, a, b = gj, gi, b, a
        days = [dates[x].toordinal() for x in a + b if dates[x]]
        if days and max(days) - min(days) > settings.max_span_days:
            continue
        across = sum(frozenset((x, y)) in linked for x in a for y in b)
        if across < settings.min_link_fraction * len(a) * len(b):
            continue
        for x in a:
            where[x] = gj
        b.extend(a)
        del groups[gi]
    return [sorted(g) for g in groups.values()]


@pytest.mark.parametrize("seed", range(6))
def test_cluster_links_merges_as_defined(seed):
    """The link counts kept between groups as they merge give the same groups, in the same
    order, as counting the links across two groups pair by pair: random link graphs with
    dense clumps, chains, tied cosines and undated articles."""
    from news_digest.stories import cluster_links

    rng = random.Random(seed)
    n = 120
    settings = StorySettings.from_settings(
        {"NEWS_DIGEST_STORY_MIN_LINK_FRACTION": rng.choice([0.3, 0.5, 0.8])}
    )
    start = dt.date(2024, 1, 1)
    dates = [None if rng.random() < 0.2 else start + dt.timedelta(days=rng.randrange(8)) for _ in range(n)]
    links, seen = [], set()
    clumps = [rng.sample(range(n), rng.randrange(3, 15)) for _ in range(12)]
    for clump in clumps:
        for x in clump:
            for y in clump:
                if x < y and (x, y) not in seen and rng.random() < 0.7:
                    seen.add((x, y))
                    links.append((x, y, rng.choice([0.5, 0.6, rng.random()])))
    for _ in range(150):  # chains and stray links between clumps
        x, y = sorted(rng.sample(range(n), 2))
        if (x, y) not in seen:
            seen.add((x, y))
            links.append((x, y, rng.random()))
    rng.shuffle(links)
    got = cluster_links(n, links, dates, settings)
    assert got == _cluster_links_by_definition(n, links, dates, settings)
    assert sum(len(g) for g in got) == n and any(len(g) >= 4 for g in got) and len(got) > 12


def _adds_by_definition(vectors, unit_counts, units, members_units, threshold):
    """story_adds written out plainly: every sentence of at least MIN_ADD_SYLLABLES
    syllables against every sentence of the story's other members, one dense product."""
    import numpy as np
    from news_digest.stories import MIN_ADD_SYLLABLES

    out = []
    for story in members_units:
        rows = [(k, r) for k, unit_rows in enumerate(story) for r in unit_rows]
        rows = [(k, r) for k, r in rows if len(units[r].split()) >= MIN_ADD_SYLLABLES]
        adds = [[] for _ in story]
        if rows:
            weighed = vectors.weigh(unit_counts[[r for _, r in rows]]).astype(np.float64)
            sims = (weighed @ weighed.T).toarray()
            for a, (k, r) in enumerate(rows):
                others = [sims[a, b] for b, (m, _) in enumerate(rows) if m != k]
                if max(others, default=0.0) < threshold:
                    adds[k].append(units[r])
        out.append(adds)
    return out


@pytest.mark.parametrize("threshold", [0.5, 0.9])
def test_story_adds_equal_their_definition_with_repeated_sentences(seed_sentences, threshold):
    """A sentence that several members carry word for word is one row of the product:
    the adds are still each member's sentences that no other member's sentence resembles.
    Stories mix sentences shared across members, repeated within one member only (new, if
    nobody else says anything like it), near-copies and sentences of their own."""
    from news_digest.stories import TextVectors, story_adds

    rng = random.Random(9)
    pool = [s for s in seed_sentences if len(s.split()) >= 8][:120]
    assert len(pool) == 120
    units, members_units = [], []
    for _story in range(25):
        shared = rng.sample(pool, 4)
        story = []
        for _member in range(rng.randrange(2, 6)):
            mine = rng.sample(pool, 3) + rng.sample(shared, rng.randrange(0, 3))
            if rng.random() < 0.4:
                mine.append(mine[0])  # said twice by this member alone
            if rng.random() < 0.3:
                mine.append("Theo phóng viên, " + rng.choice(shared))  # a near-copy
            mine.append("Ảnh minh họa.")  # too short ever to be listed
            rng.shuffle(mine)
            story.append(list(range(len(units), len(units) + len(mine))))
            units.extend(mine)
        members_units.append(story)
    vectors = TextVectors(StorySettings.from_settings({}))
    counts = vectors.counts(units)
    vectors.fit_documents(counts, list(range(len(units))), len(units))
    got = story_adds(vectors, counts, units, members_units, threshold, chunk=40)
    assert got == _adds_by_definition(vectors, counts, units, members_units, threshold)
    listed = [s for story in got for member in story for s in member]
    assert len(listed) > 50 and len(listed) < sum(len(m) for story in members_units for m in story) * 0.8
    assert "Ảnh minh họa." not in listed


def _candidate_codes_by_definition(inputs, keys, settings):
    """candidate_pair_codes written out as a loop over each key's postings."""
    from collections import defaultdict

    postings = defaultdict(list)
    for i, ks in enumerate(keys):
        for k in ks:
            postings[k].append(i)
    n, codes = len(inputs), set()
    for posting in postings.values():
        dated = sorted((inputs[i].date.toordinal(), i) for i in posting if inputs[i].date)
        for lo, (day, i) in enumerate(dated):
            hi = lo + 1
            while hi < len(dated) and dated[hi][0] - day <= settings.date_window_days:
                hi += 1
            if hi - lo <= settings.max_block:
                codes.update(min(i, j) * n + max(i, j) for _, j in dated[lo + 1 : hi])
        if len(posting) <= settings.max_block:
            for i in posting:
                if inputs[i].date is None:
                    codes.update(min(i, j) * n + max(i, j) for j in posting if j != i)
    return sorted(codes)


@pytest.mark.parametrize("seed", range(4))
def test_candidate_pair_codes_equal_the_loop_over_postings(seed):
    """Windows by binary search give the pairs of the loop over each key's postings:
    random keys shared by few and by many articles (so some windows pass max_block),
    several articles a day (ties broken by article), undated articles, an article
    without keys."""
    from news_digest.stories import candidate_pair_codes, sorted_pairs

    rng = random.Random(seed)
    settings = StorySettings.from_settings(
        {
            "NEWS_DIGEST_STORY_MAX_BLOCK": rng.choice([3, 6, 12]),
            "NEWS_DIGEST_STORY_DATE_WINDOW_DAYS": rng.choice([0, 2, 5]),
        }
    )
    start = dt.date(2023, 12, 25)
    inputs = [
        StoryInput(
            id=f"a{i}",
            title="",
            outlet="",
            date=None if rng.random() < 0.15 else start + dt.timedelta(days=rng.randrange(30)),
            entity_ids=frozenset(),
            text="",
        )
        for i in range(150)
    ]
    vocabulary = [f"t:{k}" for k in range(60)]
    keys = [
        rng.sample(vocabulary, rng.randrange(0, 6)) + ([f"e:{i % 3}"] if i % 5 == 0 else [])
        for i in range(150)
    ]
    keys[7] = []
    got = candidate_pair_codes(inputs, keys, settings)
    expected = _candidate_codes_by_definition(inputs, keys, settings)
    assert got.tolist() == expected and len(expected) > 20
    pairs = sorted_pairs(got, len(inputs))
    assert all(i < j for i, j in pairs.tolist()) and pairs.tolist() == sorted(pairs.tolist())
    assert len(candidate_pair_codes(inputs[:1], keys[:1], settings)) == 0
