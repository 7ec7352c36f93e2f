"""Date rules one by one: real lines from the seeds, made-up variations, and bad input."""

from __future__ import annotations

import datetime as _dt
import shutil

import pytest
from conftest import DUMPS
from metadata_helpers import body
from news_digest.dates import (
    classify_tense,
    event_constraints,
    find_date_mentions,
    load_date_rules,
    officeholder_constraints,
    publication_day,
    resolve_publication_date,
    year_mention_constraints,
)
from news_digest.model import LineLabel
from news_digest.rules import PACKAGE_DATA_DIR, DataFileError, load_rules

TODAY = _dt.date(2026, 11, 23)


@pytest.fixture(scope="module")
def dr(rules):
    return load_date_rules(rules)


def _mentions(dr, *texts, label=LineLabel.BODY, today=TODAY):
    warnings: list[str] = []
    return find_date_mentions(body(*texts, label=label), dr.words, today, warnings), warnings


def _resolve(rules, *texts, today=TODAY, header=None):
    return resolve_publication_date(body(*texts), header or {}, rules, today=today)


# --------------------------------------------------------------------------- mentions


def test_day_month_mentions_in_a_seed_line(dr):
    # seed 002, line 3
    ms, _ = _mentions(
        dr,
        "VOV.VN - Mỹ và Nhật Bản đã tổ chức Đối thoại răn đe mở rộng tại tiểu bang Missouri trong hai ngày 26/6 và 27/6.",
    )
    assert [(m.day, m.month, m.year, m.tense, m.western) for m in ms] == [
        (26, 6, None, "past", True),
        (27, 6, None, "past", True),
    ]


def test_mentions_in_boilerplate_and_captions_are_never_read(dr):
    # seed 002, line 20: a related card; seed 004, line 5: a caption
    card = "VOV.VN - Ngoại trưởng Mỹ Antony Blinken ngày 17/04 đã có cuộc gặp với Ngoại trưởng Nhật Bản."
    assert _mentions(dr, card, label=LineLabel.BOILERPLATE)[0] == []
    caption = "Thủ tướng Nhật Bản Fumio Kishida tới căn cứ không quân Andrews ở bang Maryland, Mỹ ngày 8/4."
    assert _mentions(dr, caption, label=LineLabel.CAPTION)[0] == []


@pytest.mark.parametrize(
    "text,tense",
    [
        ("Theo kế hoạch, ông Kishida sẽ phát biểu trước Quốc hội Mỹ vào ngày 11/4.", "future"),  # seed 004
        ("Ông Carter cũng sẽ thăm các binh sĩ Mỹ đóng tại Nhật Bản trong ngày 6/12 tới.", "future"),  # 003
        ("Trước đó, ông Abe đã hạn chế nói về cuộc hội đàm hôm 17/11.", "past"),  # seed 003
        ("Ngày 1/6, Bộ trưởng Quốc phòng Mỹ Lloyd Austin đã bắt đầu một loạt cuộc họp tại Tokyo.", "past"),
        ("Hội nghị dự kiến khai mạc ngày 20/9.", "future"),
        ("Ngày 3/5, ông nói rằng hai bên sẽ gặp lại.", "past"),
    ],
)
def test_tense_of_a_date(text, tense, dr):
    ms, _ = _mentions(dr, text)
    assert [m.tense for m in ms] == [tense]


def test_classify_tense_reads_only_the_clause_of_the_date(dr):
    s = "Ngày 3/5, ông nói rằng hai bên sẽ gặp lại"
    assert classify_tense(s, 0, 8, dr.words) == "past"


@pytest.mark.parametrize(
    "text,western",
    [
        (
            "Ngày 10/4 (giờ Washington), Tổng thống Mỹ Joe Biden và Thủ tướng Kishida đã công bố kế hoạch.",
            True,
        ),
        (
            "Trong ngày 10/4 theo giờ địa phương, Thủ tướng Kishida đã cùng Tổng thống Mỹ Joe Biden chủ trì.",
            True,
        ),
        ("Ngày 1/6, Bộ trưởng Quốc phòng Mỹ Lloyd Austin đã bắt đầu một loạt cuộc họp tại Tokyo.", False),
    ],
)
def test_local_time_behind_vietnam(text, western, dr):
    ms, _ = _mentions(dr, text)
    assert ms[0].western is western


@pytest.mark.parametrize(
    "text,warning",
    [
        ("Sáng 31/2, hai bên gặp nhau.", "impossible date 'Sáng 31/2'"),
        ("Ngày 0/13, hai bên gặp nhau.", "impossible date 'Ngày 0/13'"),
        ("Ngày 31/4, hai bên gặp nhau.", "impossible date 'Ngày 31/4'"),
        ("Ngày 29/2/2023, hai bên gặp nhau.", "impossible date '29/2/2023'"),
    ],
)
def test_impossible_dates_are_warned_and_dropped(text, warning, dr):
    ms, warnings = _mentions(dr, text)
    assert ms == []
    assert any(warning in w for w in warnings)


def test_two_digit_year_is_read_with_a_warning(rules):
    res = _resolve(rules, "Ngày 1/6/23, hai bên đã gặp nhau.")
    assert (res.value, res.confidence) == ("2023-06-01", "medium")
    assert any("two-digit year" in w for w in res.warnings)


def test_worded_full_date(rules):
    res = _resolve(rules, "Ngày 7 tháng 1 năm 2025, hai bên đã gặp nhau tại Hà Nội.")
    assert (res.value, res.confidence) == ("2025-01-07", "high")
    assert res.evidence[0].rule == "full_date_in_body"


def test_full_date_after_the_build_date_is_not_believed(rules):
    res = _resolve(rules, "Ngày 5/5/2030, hai bên đã gặp nhau.")
    assert res.value is None and res.confidence == "none"
    assert any("after the build date" in w for w in res.warnings)


def test_historical_full_date_is_not_a_publication_date(rules):
    res = _resolve(
        rules, "Ngày 2/9/1945, Chủ tịch Hồ Chí Minh đọc Tuyên ngôn độc lập. Sáng 2/9, lễ kỷ niệm đã diễn ra."
    )
    assert res.value != "1945-09-02"
    assert any("historical" in w for w in res.warnings)


def test_full_date_contradicting_a_term_of_office_is_overruled(rules):
    res = _resolve(rules, "Ngày 1/6/2015, Bộ trưởng Quốc phòng Mỹ Lloyd Austin đã tới Tokyo.")
    assert res.value != "2015-06-01"
    assert any("contradicts" in w for w in res.warnings)


# --------------------------------------------------------------------------- constraints


def test_role_and_name_is_hard_bare_name_is_soft(dr):
    # seed 000, line 9
    lines = body(
        "Ông Austin đã gặp Ngoại trưởng Nhật Bản Hayashi Yoshimasa và cũng sẽ hội đàm với người đồng cấp "
        "nước chủ nhà Hamada Yasukazu."
    )
    cs = {c.evidence.text.split(" (")[0]: c for c in officeholder_constraints(lines, dr, TODAY)}
    assert cs["Hayashi Yoshimasa"].hard
    assert not cs["Hamada Yasukazu"].hard
    assert not cs["Austin"].hard
    assert cs["Hayashi Yoshimasa"].holds(_dt.date(2023, 6, 1))
    assert not cs["Hayashi Yoshimasa"].holds(_dt.date(2024, 6, 1))


def test_role_picks_the_matching_term(dr):
    # Kishida was foreign minister 2012–2017 and prime minister 2021–2024.
    pm = officeholder_constraints(body("Thủ tướng Nhật Bản Fumio Kishida phát biểu."), dr, TODAY)[0]
    fm = officeholder_constraints(body("Ngoại trưởng Nhật Bản Fumio Kishida phát biểu."), dr, TODAY)[0]
    assert pm.hard and fm.hard
    assert pm.holds(_dt.date(2023, 1, 1)) and not pm.holds(_dt.date(2015, 1, 1))
    assert fm.holds(_dt.date(2015, 1, 1)) and not fm.holds(_dt.date(2023, 1, 1))


def test_former_officeholder_gives_no_term(dr):
    assert officeholder_constraints(body("Cựu Thủ tướng Nhật Bản Shinzo Abe phát biểu."), dr, TODAY) == []


def test_cotenure_fixes_the_year(rules):
    res = _resolve(
        rules,
        "Ngày 10/5, Bộ trưởng Quốc phòng Mỹ Mark Esper điện đàm với Bộ trưởng Quốc phòng Nhật Bản Taro Kono.",
    )
    assert (res.value, res.confidence) == ("2020-05-10", "medium")
    assert {e.rule for e in res.evidence} >= {
        "officeholder_role_and_name",
        "only_year_consistent_with_evidence",
    }


def test_years_mentioned_as_past_and_as_target(dr):
    # seed 001, line 6
    lines = body(
        "Kể từ khi lên nắm quyền năm 2021, Thủ tướng Nhật Bản Kishida đã thực hiện thay đổi sâu rộng trong lĩnh "
        "vực phòng thủ của Tokyo, tăng chi tiêu quốc phòng lên khoảng 2% tổng sản phẩm quốc nội (GDP) vào năm "
        "2027 và củng cố năng lực phản công."
    )
    cs = {c.evidence.rule: c for c in year_mention_constraints(lines, dr, TODAY)}
    assert cs["year_mentioned_as_past"].hard
    assert not cs["year_mentioned_as_past"].holds(_dt.date(2020, 12, 31))
    assert not cs["year_mentioned_as_target"].hard
    assert not cs["year_mentioned_as_target"].holds(_dt.date(2028, 1, 1))


def test_past_year_bounds_an_undetermined_year(rules):
    res = _resolve(rules, "Ngày 3/2, công ty đã công bố kết quả. Công ty được thành lập năm 2025.")
    assert res.value == "2026-02-03"
    res = _resolve(rules, "Ngày 3/12, công ty đã công bố kết quả. Công ty được thành lập năm 2025.")
    assert res.value == "2025-12-03"


def test_events_match_all_their_patterns(dr):
    assert [c.evidence.rule for c in event_constraints(body("Nhật Bản có thể tham gia vào AUKUS."), dr)] == [
        "event_after"
    ]
    assert event_constraints(body("Đối thoại răn đe mở rộng giữa hai nước."), dr) == []


# --------------------------------------------------------------------------- the day


def test_future_mention_bounds_the_day(dr):
    ms, _ = _mentions(
        dr,
        "Ngày 10/4 (giờ Washington), Tổng thống Mỹ Joe Biden và Thủ tướng Nhật Bản Fumio Kishida đã công bố kế hoạch.",
        "Theo kế hoạch, ông Kishida sẽ phát biểu trước Quốc hội Mỹ vào ngày 11/4.",
    )
    day, ev = publication_day(ms, 2024)
    assert day == _dt.date(2024, 4, 11)
    assert [e.rule for e in ev] == [
        "latest_past_day_month_in_body",
        "local_time_behind_vietnam_plus_one_day",
        "upcoming_day_month_bounds_publication",
    ]


def test_past_mention_after_an_upcoming_one_is_clamped(dr):
    ms, _ = _mentions(dr, "Hôm 20/5, hai bên đã gặp nhau.", "Hai bên sẽ gặp lại vào ngày 18/5.")
    day, ev = publication_day(ms, 2024)
    assert day == _dt.date(2024, 5, 18)
    assert "clamped_to_upcoming_date" in {e.rule for e in ev}


def test_next_week_puts_the_article_in_the_week_before_the_upcoming_date(dr):
    # seed 003, lines 6 and 9: past 17/11, "vào tuần tới", upcoming "ngày 6/12 tới" (a Tuesday in 2016)
    ms, _ = _mentions(
        dr,
        "Trước đó, ông Abe đã hạn chế nói về những gì ông từng thảo luận với ông Trump trong cuộc hội đàm hôm 17/11.",
        "Ông Carter cũng sẽ thăm các binh sĩ Mỹ đóng tại Nhật Bản trong ngày 6/12 tới.",
    )
    day, ev = publication_day(ms, 2016, next_week=True)
    assert _dt.date(2016, 11, 28) <= day <= _dt.date(2016, 12, 4)
    assert "next_week_midpoint" in {e.rule for e in ev}
    day, _ = publication_day(ms, 2016, next_week=False)
    assert day == _dt.date(2016, 11, 17)


def test_dates_across_new_year(dr):
    ms, _ = _mentions(dr, "Hôm 28/12, hai bên đã gặp nhau.", "Ngày 2/1, hai bên đã ký thỏa thuận.")
    day, _ = publication_day(ms, 2024)
    assert day == _dt.date(2024, 1, 2)


# --------------------------------------------------------------------------- resolution, bad input


def test_year_nearest_the_build_date_when_nothing_bounds_it(rules):
    res = _resolve(rules, "Ngày 20/12, hai bên đã gặp nhau.")
    assert (res.value, res.confidence) == ("2025-12-20", "low")  # 20/12/2026 is after the build day
    assert any("latest plausible year" in w for w in res.warnings)
    assert res.candidates[:2] == ["2025-12-20", "2024-12-20"]


def test_today_is_a_parameter(rules):
    res = _resolve(rules, "Ngày 20/12, hai bên đã gặp nhau.", today=_dt.date(2019, 1, 5))
    assert res.value == "2018-12-20"


def test_conflicting_officeholders_warn_and_still_give_a_low_date(rules):
    res = _resolve(rules, "Ngày 3/3, Thủ tướng Nhật Bản Shinzo Abe hội đàm với Tổng thống Mỹ Joe Biden.")
    assert res.confidence == "low"
    assert res.value is not None
    assert any("conflicting evidence" in w for w in res.warnings)


def test_no_date_in_body_is_undated_not_an_error(rules):
    res = _resolve(rules, "Hai bên đã thảo luận về hợp tác an ninh.")
    assert (res.value, res.confidence) == (None, "none")
    assert any("undated" in w for w in res.warnings)


def test_header_date_wins_and_a_bad_one_is_warned(rules):
    res = _resolve(rules, "Ngày 1/6, hai bên gặp nhau.", header={"date": "2021-03-04"})
    assert (res.value, res.confidence, res.evidence[0].rule) == ("2021-03-04", "high", "metadata_header")
    res = _resolve(rules, "Ngày 1/6, hai bên gặp nhau.", header={"date": "04/03/21"})
    assert res.value == "2026-06-01"
    assert any("not an ISO date" in w for w in res.warnings)


def test_garbage_lines_never_raise(rules):
    for text in [
        "////",
        "ngày //",
        "ngày 99/99/99999",
        "năm 20211",
        "ngày 1/1/0000",
        "\x00ngày 1/1",
        "ngày 1-/5",
    ]:
        resolve_publication_date(body(text), {}, rules, today=TODAY)


@pytest.mark.parametrize("label", [LineLabel.BODY, LineLabel.BOILERPLATE])
def test_seeds_with_every_line_given_one_label_never_raise(label, rules, gold):
    """A cleaner that labels everything body (or everything boilerplate) must not break dates."""
    for doc in gold.values():
        lines = body(*[g["text"] for g in doc["lines"]], label=label)
        res = resolve_publication_date(lines, {}, rules, today=TODAY)
        assert res.confidence in ("high", "medium", "low", "none")
        if label is LineLabel.BOILERPLATE:
            assert res.value is None  # dates in page chrome are never used


def test_event_evidence_points_at_a_body_line(rules):
    res = _resolve(
        rules,
        "Mỹ và Nhật Bản đã tổ chức Đối thoại răn đe mở rộng tại tiểu bang Missouri trong hai ngày 26/6 và 27/6.",
    )
    assert res.value == "2023-06-28"
    assert ("event_window", 1) in {(e.rule, e.line) for e in res.evidence}


# --------------------------------------------------------------------------- data files


def test_officeholders_cover_every_country_and_office(dr):
    seen = {(t.country, t.office) for p in dr.people for t in p.terms}
    for country in ("US", "JP", "CN", "KR", "KP", "RU", "GB", "FR", "DE", "IN", "AU", "PH", "VN"):
        for office in ("head_of_government", "foreign_minister", "defence_minister", "head_of_state"):
            if country in ("US", "PH") and office == "head_of_government":
                continue  # the president heads the government
            if (country, office) in {("AU", "head_of_state"), ("KP", "defence_minister")}:
                continue  # the British monarch; North Korean ministers not dated reliably
            assert (country, office) in seen, (country, office)
    for p in dr.people:
        assert p.source.startswith("https://"), p.name


@pytest.mark.parametrize(
    "broken,entry",
    [
        (
            "people:\n  - {name: X, aliases: [X], source: 'https://x', terms: [{office: defence_minister}]}\n",
            "people[0]",
        ),
        ("people:\n  - {name: X, aliases: [X], terms: [{office: nope, start: 2020-01-01}]}\n", "people[0]"),
    ],
)
def test_malformed_officeholders_file_names_file_and_entry(broken, entry, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(PACKAGE_DATA_DIR, data)
    good = (data / "officeholders.yaml").read_text(encoding="utf-8")
    head = good[: good.index("\npeople:\n") + 1]
    (data / "officeholders.yaml").write_text(head + broken, encoding="utf-8")
    with pytest.raises(DataFileError) as exc:
        load_date_rules(load_rules(data))
    assert "officeholders.yaml" in str(exc.value) and entry in str(exc.value)


def test_find_aliases_equals_a_lookbehind_search(rules):
    """find_aliases (the word check done by hand) finds exactly what the alias
    alternation with a ``(?<![\\w-])`` lookbehind finds, on the seeds and on names
    inside words, after hyphens and overlapping a longer name."""
    import re

    from news_digest.dates import find_aliases, load_date_rules

    dr = load_date_rules(rules)
    aliases = sorted(dr.alias_people, key=len, reverse=True)
    with_lookbehind = re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(a) for a in aliases) + r")(?![\w-])")
    texts = [line for p in sorted(DUMPS.glob("*.txt")) for line in p.read_text(encoding="utf-8").splitlines()]
    names = aliases[:40]
    texts += [f"x{a} và {a}, ông-{a} và {a}s; ({a})" for a in names]
    texts += [f"{a}{b} {a} {b}" for a, b in zip(names, names[1:], strict=False)]
    spans = lambda matches: [(m.start(), m.end(), m.group()) for m in matches]  # noqa: E731
    found = 0
    for text in texts:
        expected = spans(with_lookbehind.finditer(text))
        assert spans(find_aliases(dr.alias_pattern, text)) == expected, text
        found += len(expected)
    assert found > 100
