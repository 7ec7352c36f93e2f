"""Metadata stage: byline, outlet, credits, date on the seeds (gold labels) and made-up lines."""

from __future__ import annotations

import datetime as _dt
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import DUMPS, GOLD, SEED_STEMS, SEEDS
from metadata_helpers import body, gold_lines
from news_digest.metadata import (
    extract_metadata,
    find_byline,
    find_credits,
    identify_outlet,
    parse_source_credit,
)
from news_digest.model import Line, LineLabel
from news_digest.pipeline import process_dump

BUILD_DAY = _dt.date(2026, 11, 23)


def _meta(gold_doc, rules):
    return extract_metadata(gold_lines(gold_doc), {}, rules, today=BUILD_DAY)


def _gold_domain(name: str | None) -> str | None:
    m = re.search(r"\(([\w.-]+\.[a-z]{2,})\)", name or "")
    return m.group(1) if m else None


# --------------------------------------------------------------------------- seeds vs gold


@pytest.mark.parametrize("stem", SEED_STEMS)
def test_seed_author_matches_gold(stem, rules, gold):
    assert _meta(gold[stem], rules).byline == gold[stem]["meta"]["author"]


@pytest.mark.parametrize("stem", SEED_STEMS)
def test_seed_outlet_matches_gold(stem, rules, gold):
    g = gold[stem]["meta"]["source_outlet"]
    outlet = _meta(gold[stem], rules).outlet
    if g["name"] is None:
        assert outlet.id == "unknown"
        assert outlet.confidence == "none"
        assert outlet.evidence is None
        return
    domain = _gold_domain(g["name"])
    if domain:
        assert outlet.domain == domain
    else:
        assert outlet.name == g["name"]
    assert outlet.confidence == g["confidence"].split()[0]
    assert outlet.evidence.line == g["evidence_line"]
    assert g["evidence"].startswith(outlet.evidence.text.strip()[:20])
    expected_role = "source" if "original source" in g["role"] else "publisher"
    assert outlet.role == expected_role


@pytest.mark.parametrize("stem", SEED_STEMS)
def test_seed_source_credits_match_gold(stem, rules, gold):
    g = gold[stem]["meta"]
    sources = [c for c in _meta(gold[stem], rules).credits if c.kind == "source"]
    assert [c.credit for c in sources] == g["credits"]
    assert [{"credit": c.credit, "line": c.line, "text": c.text} for c in sources] == g["credits_evidence"]


@pytest.mark.parametrize("stem", SEED_STEMS)
def test_seed_photo_credits_match_gold(stem, rules, gold):
    photos = [c for c in _meta(gold[stem], rules).credits if c.kind == "photo"]
    got = [{"credit": c.credit, "lines": c.lines, "text": c.text} for c in photos]
    assert got == gold[stem]["meta"]["photo_credits"]


@pytest.mark.parametrize("stem", SEED_STEMS)
def test_seed_date_matches_gold_guess(stem, rules, gold):
    """Year and month exact, day within ±1 of the gold's best_publication_date_guess."""
    expected = _dt.date.fromisoformat(gold[stem]["meta"]["best_publication_date_guess"]["date"])
    date = _meta(gold[stem], rules).date
    assert date.value is not None, date.warnings
    got = _dt.date.fromisoformat(date.value)
    assert (got.year, got.month) == (expected.year, expected.month)
    assert abs((got - expected).days) <= 1
    assert date.confidence in ("medium", "high")


@pytest.mark.parametrize("stem", SEED_STEMS)
def test_seed_date_evidence_never_comes_from_boilerplate(stem, rules, gold):
    labels = {g["n"]: g["label"] for g in gold[stem]["lines"]}
    date = _meta(gold[stem], rules).date
    lines = [e.line for e in date.evidence if e.line is not None]
    assert lines, "date evidence names no line"
    assert {labels[n] for n in lines} == {"body"}


def test_seed_000_year_comes_from_cotenure_of_austin_hayashi_and_hamada(rules, gold):
    date = _meta(gold["000_765a3f8714b815bc"], rules).date
    rules_used = {(e.rule, e.line) for e in date.evidence}
    assert ("officeholder_role_and_name", 4) in rules_used  # Bộ trưởng Quốc phòng Mỹ Lloyd Austin
    assert ("officeholder_role_and_name", 9) in rules_used  # Ngoại trưởng Nhật Bản Hayashi Yoshimasa
    assert ("officeholder_name_only", 9) in rules_used  # người đồng cấp ... Hamada Yasukazu


def test_seed_004_future_congress_address_bounds_the_day(rules, gold):
    date = _meta(gold["004_f1c2a3039ebafd8a"], rules).date
    assert ("upcoming_day_month_bounds_publication", 24) in {(e.rule, e.line) for e in date.evidence}
    assert date.value <= "2024-04-11"


# --------------------------------------------------------------------------- outlets


def test_outlets_yaml_has_the_largest_outlets_with_names_and_domains(rules):
    assert len(rules.outlets) >= 25
    ids = {o.id for o in rules.outlets}
    for needed in (
        "vnexpress tuoitre thanhnien dantri vietnamnet znews vov vtv vietnamplus nhandan qdnd cand "
        "nld tienphong laodong sggp baoquocte hanoimoi kinhtedothi plo thethaovanhoa baochinhphu "
        "daidoanket baogiaothong vtcnews soha kenh14 24h baodautu"
    ).split():
        assert needed in ids
    for o in rules.outlets:
        assert o.name and o.name_en and o.domain and o.signatures, o.id


@pytest.mark.parametrize(
    "text,outlet,role",
    [
        ("Theo dõi Baoquocte.vn trên", "baoquocte", "publisher"),
        ("Mời quý độc giả theo dõi VOV.VN trên", "vov", "publisher"),
        ("VOV.VN - Ngoại trưởng Mỹ Antony Blinken ngày 17/04 đã có cuộc gặp", "vov", "publisher"),
        ("(TTXVN/Vietnam+)", "vietnamplus", "publisher"),
        ("(Dân trí) - Sáng 5/3, Thủ tướng chủ trì cuộc họp.", "dantri", "publisher"),
        ("TTO - Chiều 2/9, hàng nghìn người dân đã đổ về Quảng trường Ba Đình.", "tuoitre", "publisher"),
        ("Theo vtv.vn", "vtv", "source"),
        ("Theo VnExpress", "vnexpress", "source"),
        ("(Theo Thanh Niên)", "thanhnien", "source"),
        ("Nguồn: Người Lao Động", "nld", "source"),
    ],
)
def test_outlet_signature(text, outlet, role, rules):
    found = identify_outlet(body(text, label=LineLabel.BOILERPLATE), rules)
    assert (found.id, found.role, found.confidence) == (outlet, role, "high")
    assert found.evidence.line == 1


def test_outlet_publisher_signature_beats_a_source_credit(rules):
    lines = body("VOV.VN - Hai bên đã thảo luận.", "Theo vtv.vn")
    assert identify_outlet(lines, rules).id == "vov"


def test_outlet_citation_inside_a_sentence_is_not_a_signature(rules):
    lines = body("Theo VnExpress, hai bên đã thảo luận về hợp tác an ninh trong nhiều giờ.")
    assert identify_outlet(lines, rules).id == "unknown"


def test_outlet_unknown_when_nothing_is_stated(rules):
    found = identify_outlet(body("Hai bên đã thảo luận.", "(Nguồn: Reuters)"), rules)
    assert (found.id, found.confidence, found.evidence) == ("unknown", "none", None)


def _outlet_without_name_check(lines, rules):
    """identify_outlet as it was before the name pre-check: every signature on every line."""
    hits = {}
    for ln in lines:
        if ln.label is LineLabel.BLANK:
            continue
        text = ln.text.strip().strip("|").strip()
        for outlet in rules.outlets:
            matched = [
                ({"publisher": 0, "source": 1}.get(sig.role, 2), i)
                for i, sig in enumerate(outlet.signatures)
                if sig.pattern.search(text)
            ]
            if matched:
                hits.setdefault(outlet.id, []).append((*min(matched), ln.n))
    return hits


def test_outlet_name_check_skips_only_lines_no_signature_can_match(rules, tmp_path):
    """The pre-check (a line must contain one of an outlet's names) is sound: on real
    dumps, other outlets' samples, a generated corpus and lines that stretch the names
    (case, runs of whitespace, no-break spaces), every signature that matches a line
    belongs to an outlet the line names, and identify_outlet agrees with trying all."""
    from news_digest.corpus import generate_corpus, load_material
    from news_digest.parallel import find_dumps
    from news_digest.rules import outlet_name_key

    generate_corpus(load_material(SEEDS, GOLD), 150, tmp_path, seed=3)
    texts = [p.read_text(encoding="utf-8") for p in DUMPS.glob("*.txt")]
    texts += [p.read_text(encoding="utf-8") for p in (Path(__file__).parent / "data").rglob("*.txt")]
    texts += [Path(j.path).read_text(encoding="utf-8") for j in find_dumps(tmp_path)]
    texts.append(
        "THEO DÕI   vnexpress.NET trên Google News\n(THEO  tuổi\u00a0trẻ  ONLINE)\n"
        "Nguồn:\tNgười  Lao\u2003Động\n(ttxvn / VIETNAMPLUS).\nzing news – Tin nóng"
    )
    matched_lines = 0
    for text in texts:
        lines = body(*[t for t in text.splitlines() if t.strip()], label=LineLabel.BOILERPLATE)
        for ln in lines:
            key = outlet_name_key(ln.text)
            for outlet in rules.outlets:
                if any(sig.pattern.search(ln.text.strip().strip("|").strip()) for sig in outlet.signatures):
                    matched_lines += 1
                    assert any(k in key for k in outlet.name_keys), (outlet.id, ln.text)
        hits = _outlet_without_name_check(lines, rules)
        found = identify_outlet(lines, rules)
        assert (found.id != "unknown") == bool(hits)
        if hits:
            assert found.id in hits
    assert matched_lines > 200


def test_outlet_signature_kinds_expand_names_with_flexible_spaces(rules):
    tuoitre = next(o for o in rules.outlets if o.id == "tuoitre")
    assert "Tuổi Trẻ Online" in tuoitre.names
    assert [s.role for s in tuoitre.signatures] == ["publisher", "publisher", "source", "source"]
    assert tuoitre.signatures[2].pattern.search("(theo   TUỔI\tTRẺ online)")
    assert not tuoitre.signatures[2].pattern.search("(theo TuổiTrẻ)")


@pytest.mark.parametrize(
    "entry,message",
    [
        ("    names: [X]\n    signatures: [nope]\n", r"unknown signature kind 'nope'"),
        ("    names: [X]\n    signatures: [{pattern: '^X -', role: publisher}]\n", r"must contain \{names\}"),
        ("    signatures: [dateline]\n", r"missing required key\(s\): names"),
    ],
)
def test_bad_outlet_signature_names_file_and_entry(tmp_path, entry, message):
    from news_digest.rules import DataFileError, load_rules

    for p in load_rules().data_dir.glob("*.yaml"):
        (tmp_path / p.name).write_text(p.read_text(encoding="utf-8"), encoding="utf-8")
    path = tmp_path / "outlets.yaml"
    path.write_text(
        path.read_text(encoding="utf-8") + "  - id: broken\n    name: B\n    name_en: B\n" + entry,
        encoding="utf-8",
    )
    with pytest.raises(DataFileError, match=r"outlets.yaml \[outlets\[\d+\] \(broken\).*" + message):
        load_rules(tmp_path)


# --------------------------------------------------------------------------- credits, byline


@pytest.mark.parametrize(
    "text,names",
    [
        ("Theo vtv.vn", ["vtv.vn"]),
        ("(theo Kyodo, AFP)", ["Kyodo", "AFP"]),
        ("(TTXVN/Vietnam+)", ["TTXVN/Vietnam+"]),
        ("Theo Reuters và AP", ["Reuters", "AP"]),
        ("Nguồn: Nikkei Asia", ["Nikkei Asia"]),
        ("(Theo CNN; BBC).", ["CNN", "BBC"]),
    ],
)
def test_parse_source_credit(text, names):
    assert parse_source_credit(text) == names


def test_photo_credits_from_captions_merge_repeated_captions():
    lines = body(
        "Ông Austin duyệt đội danh dự ở Tokyo, ngày 1/6. (Nguồn: Reuters)",
        "Ông Austin duyệt đội danh dự ở Tokyo, ngày 1/6. (Nguồn: Reuters)",
        "Thủ tướng Kishida tới căn cứ Andrews. (Ảnh: AFP/TTXVN)",
        "Đại sứ Sasae. (Nguồn: Japan Daily Press) |",
        "Ảnh không có nguồn.",
        label=LineLabel.CAPTION,
    )
    photos = [(c.credit, c.lines, c.text) for c in find_credits(lines)]
    assert photos == [
        ("Reuters", [1, 2], "(Nguồn: Reuters)"),
        ("AFP/TTXVN", [3], "(Ảnh: AFP/TTXVN)"),
        ("Japan Daily Press", [4], "(Nguồn: Japan Daily Press)"),
    ]


def test_bare_caption_credit_as_other_outlets_print_it():
    lines = body(
        "Thủ tướng Phạm Minh Chính tiếp Ngoại trưởng Mỹ tại Hà Nội. Ảnh: Nhật Bắc", label=LineLabel.CAPTION
    )
    assert [(c.credit, c.text) for c in find_credits(lines)] == [("Nhật Bắc", "Ảnh: Nhật Bắc")]


def test_made_up_article_from_another_outlet(rules):
    """Not a seed: VnExpress-style lines (byline, bare caption credit, 'Theo' credit)."""
    lines = [
        Line(1, "Thủ tướng tiếp Ngoại trưởng Mỹ", LineLabel.TITLE),
        Line(
            2,
            "Chủ tịch nước Võ Văn Thưởng và Thủ tướng Phạm Minh Chính ngày 15/8 đã tiếp Ngoại trưởng Mỹ "
            "Antony Blinken tại Hà Nội.",
            LineLabel.BODY,
        ),
        Line(3, "Ông Blinken tiếp Thủ tướng tại trụ sở Chính phủ. Ảnh: Giang Huy", LineLabel.CAPTION),
        Line(4, "Như Tâm", LineLabel.BYLINE),
        Line(5, "Theo VnExpress", LineLabel.CREDIT),
    ]
    meta = extract_metadata(lines, {}, rules, today=BUILD_DAY)
    assert meta.byline == "Như Tâm"
    assert (meta.outlet.id, meta.outlet.role) == ("vnexpress", "source")
    assert [(c.kind, c.credit) for c in meta.credits] == [("source", "VnExpress"), ("photo", "Giang Huy")]
    # Võ Văn Thưởng was president 2023-03-02..2024-03-21; with Chính and Blinken: 15/8/2023 only.
    assert (meta.date.value, meta.date.confidence) == ("2023-08-15", "medium")


def test_photo_credit_in_a_body_line_is_not_read():
    assert find_credits(body("Ông Austin nói. (Nguồn: Reuters)")) == []


def test_byline_only_when_given():
    assert find_byline(body("Bài: Bảo Minh", label=LineLabel.BYLINE), {}) == "Bảo Minh"
    assert find_byline(body("Bảo Minh", label=LineLabel.BYLINE), {}) == "Bảo Minh"
    # A name in the body is never taken as the author.
    assert find_byline(body("Phóng viên Bảo Minh đưa tin từ Tokyo."), {}) is None
    assert find_byline([], {"author": "Biên tập viên"}) == "Biên tập viên"


# --------------------------------------------------------------------------- pipeline, CLI


def test_undated_article_is_still_an_article_and_says_why(rules):
    data = "Tiêu đề thử nghiệm về hợp tác\n\nHai bên đã thảo luận về hợp tác an ninh và kinh tế.\n".encode()
    article = process_dump(data, "dumps/undated.txt", rules, today=BUILD_DAY)
    assert article.meta.date.value is None
    assert article.meta.date.confidence == "none"
    assert any("undated" in w.message for w in article.warnings)


def test_date_header_still_wins(rules):
    data = "Date: 2020-02-03\nTitle: Tin thử\n\nNgày 1/6, Bộ trưởng Quốc phòng Mỹ Lloyd Austin tới Tokyo.\n"
    article = process_dump(data.encode(), "dumps/h.txt", rules, today=BUILD_DAY)
    assert (article.meta.date.value, article.meta.date.confidence) == ("2020-02-03", "high")


def test_sidecar_date_still_wins(rules):
    data = "Tin thử\n\nNgày 1/6, Bộ trưởng Quốc phòng Mỹ Lloyd Austin tới Tokyo.\n".encode()
    article = process_dump(
        data, "dumps/s.txt", rules, sidecar={"date": _dt.date(2019, 5, 4)}, today=BUILD_DAY
    )
    assert article.meta.date.value == "2019-05-04"
    assert article.meta.date.evidence[0].rule == "sidecar_meta_yaml"


def test_inspect_json_carries_outlet_credits_and_date():
    binary = Path(sys.executable).parent / "news-digest"
    res = subprocess.run(
        [str(binary), "inspect", str(DUMPS / "004_f1c2a3039ebafd8a.txt"), "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    meta = json.loads(res.stdout)["meta"]
    assert meta["outlet"]["id"] == "vietnamplus"
    assert meta["outlet"]["evidence"]["line"] == 26
    assert {"kind", "credit", "line", "text", "lines"} <= set(meta["credits"][0])
    assert {"value", "confidence", "evidence", "warnings", "candidates"} <= set(meta["date"])
    assert meta["date"]["value"].startswith("2024-04")


@pytest.mark.parametrize("stem", SEED_STEMS)
def test_end_to_end_seed_outlet_and_date_through_process_dump(stem, rules, gold):
    """The whole pipeline (current cleaner included) on a seed: outlet and date as the gold."""
    article = process_dump((DUMPS / f"{stem}.txt").read_bytes(), f"dumps/{stem}.txt", rules, today=BUILD_DAY)
    g = gold[stem]["meta"]
    domain = _gold_domain(g["source_outlet"]["name"])
    if g["source_outlet"]["name"] is None:
        assert article.meta.outlet.id == "unknown"
    elif domain:
        assert article.meta.outlet.domain == domain
    expected = _dt.date.fromisoformat(g["best_publication_date_guess"]["date"])
    got = _dt.date.fromisoformat(article.meta.date.value)
    assert (got.year, got.month) == (expected.year, expected.month)
    assert abs((got - expected).days) <= 1
    assert article.meta.byline == g["author"]
