"""Unit tests of the pure stages on the real seed dumps."""

from __future__ import annotations

import json
import unicodedata

import pytest
from conftest import DUMPS, SEED_STEMS, SEEDS
from news_digest.decode import decode_bytes
from news_digest.model import DumpRejected, LineLabel
from news_digest.pipeline import process_dump
from news_digest.slugs import assign_unique_slugs, is_safe_slug, slugify


def test_demo_corpus_is_the_seeds_byte_for_byte():
    assert SEED_STEMS, "content/dumps holds no dumps"
    for stem in SEED_STEMS:
        assert (DUMPS / f"{stem}.txt").read_bytes() == (SEEDS / f"{stem}.txt").read_bytes()


@pytest.mark.parametrize("stem", SEED_STEMS)
def test_seed_lines_numbered_like_gold(stem, rules, gold):
    article = process_dump((DUMPS / f"{stem}.txt").read_bytes(), f"dumps/{stem}.txt", rules)
    g = gold[stem]
    assert len(article.lines) == g["num_lines"]
    for ln, gl in zip(article.lines, g["lines"], strict=True):
        assert ln.n == gl["n"]
        assert ln.text == gl["text"]


@pytest.mark.parametrize("stem", SEED_STEMS)
def test_seed_title_matches_gold(stem, rules, gold):
    article = process_dump((DUMPS / f"{stem}.txt").read_bytes(), f"dumps/{stem}.txt", rules)
    assert article.meta.title == gold[stem]["meta"]["title"]
    if article.meta.title is None:
        assert article.meta.title_source == "derived"
        assert article.meta.display_title


def test_decode_normalises_nfd_to_nfc():
    nfd = unicodedata.normalize("NFD", "Nhật Bản hội đàm")
    decoded = decode_bytes(nfd.encode("utf-8"))
    assert decoded.text == unicodedata.normalize("NFC", nfd)
    assert "normalised to NFC" in decoded.notes


def test_decode_utf8_bom_and_utf16():
    text = "Mỹ và Nhật Bản\n"
    assert decode_bytes(b"\xef\xbb\xbf" + text.encode()).text == text
    assert decode_bytes(b"\xff\xfe" + text.encode("utf-16-le")).text == text


@pytest.mark.parametrize(
    "data,reason",
    [
        (b"", "empty"),
        (b"   \n\t\n", "empty"),
        (bytes(range(256)) * 40, "binary"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00\x01\x02\x03" * 500, "binary"),
    ],
)
def test_decode_rejects_non_text(data, reason):
    with pytest.raises(DumpRejected) as exc:
        decode_bytes(data)
    assert reason in exc.value.reason


def test_only_boilerplate_is_rejected(rules):
    with pytest.raises(DumpRejected):
        process_dump("Tin liên quan\n\nTin cùng chuyên mục\n- Một tin khác\n".encode(), "x.txt", rules)


def test_body_text_is_kept_and_noise_labelled(rules):
    article = process_dump((DUMPS / "004_f1c2a3039ebafd8a.txt").read_bytes(), "004.txt", rules)
    labels = {ln.n: ln.label for ln in article.lines}
    assert labels[1] is LineLabel.TITLE
    assert labels[3] is LineLabel.BODY
    assert labels[26] is LineLabel.CREDIT
    assert labels[28] is LineLabel.BOILERPLATE
    assert all(ln.rule for ln in article.lines if ln.label is LineLabel.BOILERPLATE)


def test_unsafe_header_keys_are_ignored_with_warning(rules):
    dump = "Title: Tin thử\nSave_as: ../../etc/passwd\nSlug: ../../x\n\nMột đoạn văn bản.\n"
    article = process_dump(dump.encode(), "x.txt", rules)
    assert is_safe_slug(article.slug)
    assert any("save_as" in w.message for w in article.warnings)


def test_inspect_json_roundtrips(rules):
    from news_digest.model import to_jsonable

    article = process_dump((DUMPS / "002_1d216cd8c5788951.txt").read_bytes(), "002.txt", rules)
    doc = json.loads(json.dumps(to_jsonable(article), ensure_ascii=False))
    assert doc["lines"][0]["label"] == "title"
    assert doc["meta"]["outlet"]["id"] == "vov"


@pytest.mark.parametrize(
    "text,slug",
    [
        ("Mỹ và Nhật Bản tổ chức Đối thoại răn đe", "my-va-nhat-ban-to-chuc-doi-thoai-ran-de"),
        ("Đường đến Điện Biên", "duong-den-dien-bien"),
        ("../../etc/passwd", "etc-passwd"),
        ("", "item"),
        ("!!!", "item"),
    ],
)
def test_slugify_is_ascii_and_safe(text, slug):
    assert slugify(text) == slug
    assert is_safe_slug(slugify(text))


def test_unique_slugs_are_stable_whatever_the_order():
    items = [("b.txt", "tin"), ("a.txt", "tin"), ("c.txt", "khac")]
    first = assign_unique_slugs(items)
    assert first == assign_unique_slugs(list(reversed(items)))
    assert first["a.txt"] == "tin" and first["b.txt"].startswith("tin-") and first["c.txt"] == "khac"
    assert len(set(first.values())) == 3
