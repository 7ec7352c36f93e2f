"""Topics and entities: unit tests on small texts and seed-level tests on gold-labelled lines.

Seed tests build :class:`Line` objects from the gold labels (../shared/gold), so they test
the taxonomy stage alone, whatever the cleaner currently keeps.
"""

from __future__ import annotations

import pytest
from conftest import DUMPS, SEED_STEMS
from news_digest.model import Line, LineLabel
from news_digest.pipeline import process_dump
from news_digest.taxonomy import assign_topics, link_entities, phrase_key, trie_regex


def gold_lines(gold_entry) -> list[Line]:
    return [Line(n=g["n"], text=g["text"], label=LineLabel(g["label"])) for g in gold_entry["lines"]]


def body(*texts: str, label: LineLabel = LineLabel.BODY) -> list[Line]:
    return [Line(n=i, text=t, label=label) for i, t in enumerate(texts, start=1)]


def ids(mentions) -> set[str]:
    return {m.id for m in mentions}


def counts(mentions) -> dict[str, int]:
    return {m.id: m.count for m in mentions}


# Every entity named in each seed's body and caption lines (by the gold labels), read by
# hand from the text. People and countries are the hard requirement; the rest are
# organisations and places the gazetteer knows.
EXPECTED_ENTITIES = {
    "000_765a3f8714b815bc": {
        # people
        "lloyd-austin", "yoshimasa-hayashi", "yasukazu-hamada", "fumio-kishida",
        # countries
        "united-states", "japan", "australia", "south-korea",
        # organisations and places
        "pentagon", "japan-ministry-of-defense", "tokyo", "washington-dc",
    },
    "001_855c344d2a156454": {
        "fumio-kishida", "joe-biden", "jake-sullivan",
        "united-states", "japan", "united-kingdom", "australia",
        "aukus", "us-forces-japan", "tokyo", "washington-dc", "indo-pacific",
    },
    "002_1d216cd8c5788951": {"united-states", "japan", "missouri"},
    "003_a0877aabd1c36985": {
        "kenichiro-sasae", "shinzo-abe", "donald-trump", "ashton-carter", "tomomi-inada", "barack-obama",
        "japan", "united-states", "india", "bahrain", "israel", "italy", "united-kingdom",
        "heritage-foundation", "pentagon", "washington-dc", "new-york", "tokyo", "asia-pacific",
    },
    "004_f1c2a3039ebafd8a": {
        "joe-biden", "fumio-kishida", "yuko-kishida", "ferdinand-marcos-jr",
        "united-states", "japan", "australia", "ukraine", "philippines",
        "joint-base-andrews", "maryland", "washington-dc", "indo-pacific", "gaza", "white-house",
        "nasa", "asia", "us-congress",
    },
}  # fmt: skip


@pytest.mark.parametrize("stem", SEED_STEMS)
def test_seed_entities_from_gold_body(stem, gold, rules):
    found = link_entities(gold_lines(gold[stem]), rules.entities)
    assert ids(found) == EXPECTED_ENTITIES[stem]
    for m in found:
        assert m.count >= 1 and m.lines
        for n in m.lines:
            assert gold[stem]["lines"][n - 1]["label"] in ("body", "caption")


@pytest.mark.parametrize("stem", SEED_STEMS)
def test_seed_entities_ignore_boilerplate(stem, gold, rules):
    """Entities only in related cards (Yoon Suk Yeol, Modi, China in 000) are not linked."""
    lines = gold_lines(gold[stem])
    only_boiler = [ln for ln in lines if ln.label is LineLabel.BOILERPLATE]
    as_body = [Line(ln.n, ln.text, LineLabel.BODY) for ln in only_boiler]
    noise = ids(link_entities(as_body, rules.entities)) - EXPECTED_ENTITIES[stem]
    assert not (ids(link_entities(lines, rules.entities)) & noise)


def test_seed_000_boilerplate_entities_exist_but_are_not_linked(gold, rules):
    lines = gold_lines(gold["000_765a3f8714b815bc"])
    as_body = [Line(ln.n, ln.text, LineLabel.BODY) for ln in lines if ln.text]
    everything = ids(link_entities(as_body, rules.entities))
    assert {"yoon-suk-yeol", "narendra-modi", "china", "north-korea"} <= everything
    assert not {"yoon-suk-yeol", "narendra-modi", "china", "north-korea"} & ids(
        link_entities(lines, rules.entities)
    )


def test_seed_counts_and_aliases(gold, rules):
    c000 = counts(link_entities(gold_lines(gold["000_765a3f8714b815bc"]), rules.entities))
    # "Thủ tướng Kishida Nhật Bản Fumio" (line 9) links Kishida through the honorific form.
    assert c000["fumio-kishida"] == 1
    # Lloyd Austin: lines 4 and 7 (full name), "Ông Austin" (9), "ông Austin" (14).
    assert c000["lloyd-austin"] == 4
    assert c000["pentagon"] == 1  # "Lầu Năm Góc"
    c004 = counts(link_entities(gold_lines(gold["004_f1c2a3039ebafd8a"]), rules.entities))
    # Full name twice in captions and once in body, "Thủ tướng Kishida", "Ông Kishida", "ông Kishida".
    assert c004["fumio-kishida"] == 6
    assert c004["joe-biden"] == 5
    assert c004["yuko-kishida"] == 2


@pytest.mark.parametrize("stem", SEED_STEMS)
def test_seed_topics_from_gold_body(stem, gold, rules):
    topics = assign_topics(gold_lines(gold[stem]), rules.topics)
    assert 1 <= len(topics) <= 3
    assert {"defence", "diplomacy"} & {t.id for t in topics}
    assert [t.score for t in topics] == sorted((t.score for t in topics), reverse=True)
    if stem.startswith("004"):
        assert "space" in {t.id for t in topics}


def test_seed_001_is_not_space_from_one_mention(gold, rules):
    """001 names "không gian vũ trụ" once among defence and diplomacy talk: not a space story."""
    topics = assign_topics(gold_lines(gold["001_855c344d2a156454"]), rules.topics)
    assert "space" not in {t.id for t in topics}


@pytest.mark.parametrize("stem", SEED_STEMS)
def test_pipeline_fills_topics_and_entities(stem, rules):
    article = process_dump((DUMPS / f"{stem}.txt").read_bytes(), f"dumps/{stem}.txt", rules)
    assert 1 <= len(article.topics) <= 3
    assert {"united-states", "japan"} <= ids(article.entities)


# ----------------------------------------------------------------- matching rules


def test_mỹ_in_hyphenated_pair_counts_both(rules):
    c = counts(link_entities(body("liên minh Mỹ-Nhật và quan hệ Mỹ - Nhật Bản"), rules.entities))
    assert c == {"united-states": 2, "japan": 2}


def test_nhật_not_inside_other_words(rules):
    text = "Anh Minh Nhật cập nhật tin vào Chủ nhật và Chủ Nhật ở cửa Nhật Lệ."
    assert link_entities(body(text), rules.entities) == []


def test_lowercase_homographs_are_not_entities(rules):
    assert link_entities(body("ngành thẩm mỹ và mỹ thuật, tiếng anh, nga"), rules.entities) == []


def test_ambiguous_syllables_need_no_capitalised_neighbour(rules):
    c = counts(
        link_entities(body("Ông ấy sẽ thăm Italy và Anh.", "Cầu thủ Tuấn Anh ghi bàn."), rules.entities)
    )
    assert c == {"italy": 1, "united-kingdom": 1}


def test_longest_match_wins(rules):
    c = counts(
        link_entities(body("khu vực Ấn Độ Dương-Thái Bình Dương, Ấn Độ Dương và Ấn Độ"), rules.entities)
    )
    assert c == {"indo-pacific": 1, "indian-ocean": 1, "india": 1}


def test_short_name_needs_honorific_or_full_name(rules):
    assert link_entities(body("Kishida là một họ phổ biến."), rules.entities) == []
    c = counts(link_entities(body("Thủ tướng Kishida phát biểu.", "Kishida nói thêm."), rules.entities))
    assert c == {"fumio-kishida": 2}
    c = counts(link_entities(body("Kishida Fumio và Fumio Kishida; ông Kishida"), rules.entities))
    assert c == {"fumio-kishida": 3}


def test_entities_ignore_boilerplate_lines(rules):
    lines = body("Mỹ và Nhật Bản hội đàm.") + [
        Line(9, "Tổng thống Hàn Quốc Yoon Suk Yeol thăm Trung Quốc", LineLabel.BOILERPLATE),
        Line(10, "Triều Tiên", LineLabel.TITLE),
    ]
    assert ids(link_entities(lines, rules.entities)) == {"united-states", "japan"}


def test_entities_match_nfd_input_after_nfc(rules):
    import unicodedata

    text = unicodedata.normalize("NFD", "Lầu Năm Góc và Hoa Kỳ")
    assert ids(link_entities(body(text), rules.entities)) == {"pentagon", "united-states"}


def test_mentions_record_lines_and_counts(rules):
    found = link_entities(body("Mỹ, Mỹ và Hoa Kỳ", "NATO", "Mỹ"), rules.entities)
    by_id = {m.id: m for m in found}
    assert by_id["united-states"].count == 4 and by_id["united-states"].lines == [1, 3]
    assert found[0].id == "united-states"


def test_topics_ignore_boilerplate(rules):
    lines = [
        Line(1, "Đội tuyển bóng đá giành huy chương vàng, huấn luyện viên khen cầu thủ.", LineLabel.BODY),
        Line(2, "Tên lửa, quân sự, quốc phòng, răn đe, tập trận, binh sĩ", LineLabel.BOILERPLATE),
    ]
    assert [t.id for t in assign_topics(lines, rules.topics)] == ["sport"]


def test_topics_fallback_when_nothing_matches(rules):
    assert [t.id for t in assign_topics(body("Một đoạn văn."), rules.topics)] == ["general"]


def test_topics_at_most_three(rules):
    text = (
        "Quân đội tập trận tên lửa; ngoại trưởng hội đàm song phương; bầu cử quốc hội; "
        "lạm phát và xuất khẩu; trí tuệ nhân tạo và bán dẫn; vệ tinh và phi hành gia; "
        "bệnh viện và vắc xin; ô nhiễm và biến đổi khí hậu"
    )
    assert len(assign_topics(body(text), rules.topics)) == 3


def test_trie_regex_backtracks_to_shorter_phrase_at_word_end():
    pattern = trie_regex([phrase_key("Nhật"), phrase_key("Nhật Bản")])
    assert [m.group(0) for m in pattern.finditer("Nhật Bảnx, Nhật Bản, Nhật")] == ["Nhật", "Nhật Bản", "Nhật"]


def test_given_names_after_kinship_terms_are_not_countries(rules):
    text = "Bà Nga và anh Đức gặp chị Anh; Thủ tướng Đức thăm Nga."
    assert counts(link_entities(body(text), rules.entities)) == {"germany": 1, "russia": 1}
