"""Property tests (hypothesis) on the pure stages, and a bytes fuzz test of the pipeline.

Default runs are fast (a few hundred examples each). For a longer fuzz run:
``HYPOTHESIS_PROFILE=fuzz .venv/bin/python -m pytest tests/test_properties.py``.
"""

from __future__ import annotations

import os
import unicodedata

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from news_digest.clean import clean_text
from news_digest.decode import decode_bytes, legacy_tables
from news_digest.metadata import extract_metadata
from news_digest.model import DumpRejected
from news_digest.pipeline import process_dump
from news_digest.rules import load_rules
from news_digest.slugs import assign_unique_slugs, is_safe_slug, slugify

settings.register_profile(
    "default", max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "fuzz", max_examples=5000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

RULES = load_rules()
VIETNAMESE = "aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"
ALPHABET = VIETNAMESE + VIETNAMESE.upper() + " 0123456789.,:;!?()-|/\"'<>&…\t"
#: Lines the rules know (section headers, chrome) so generated dumps exercise them.
KNOWN_LINES = [h.text for h in RULES.section_headers] + sorted(RULES.chrome_lines)[:20]
#: Every line break ``str.splitlines`` knows, so numbering is tested with all of them.
BREAKS = ["\n", "\r\n", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]

line_text = st.one_of(
    st.text(alphabet=ALPHABET, max_size=120),
    st.sampled_from(KNOWN_LINES),
    st.sampled_from(["", "  ", "| |", "Title: Tin thử", "Date: 2024-04-10", "Slug: ../../x", "(TTXVN)"]),
    st.text(max_size=40),  # any Unicode at all
)
dump_text = st.builds(
    lambda parts: "".join(t + b for t, b in parts),
    st.lists(st.tuples(line_text, st.sampled_from(BREAKS)), max_size=30),
)
any_text = st.one_of(dump_text, st.text(max_size=300))


def looks_like_header(line: str) -> bool:
    from news_digest.clean import HEADER_KEYS

    key, sep, _ = line.strip().partition(":")
    return bool(sep) and key.lower() in HEADER_KEYS


def kept_texts(lines) -> list[str]:
    return [ln.text for ln in lines if ln.kept]


def is_subsequence(sub: list[str], seq: list[str]) -> bool:
    it = iter(seq)
    return all(any(x == y for y in it) for x in sub)


@given(any_text)
def test_clean_never_raises_and_numbers_lines_like_splitlines(text):
    lines, header = clean_text(text, RULES)
    assert [ln.text for ln in lines] == text.splitlines()
    assert [ln.n for ln in lines] == list(range(1, len(lines) + 1))
    assert isinstance(header, dict)
    for ln in lines:
        if not ln.kept and ln.label.value == "boilerplate":
            assert ln.rule, f"line {ln.n} dropped without a rule"


@given(any_text)
def test_cleaned_lines_are_input_lines_in_order(text):
    lines, _ = clean_text(text, RULES)
    assert is_subsequence(kept_texts(lines), text.splitlines())


@given(any_text)
def test_cleaning_is_idempotent(text):
    """Idempotence, precisely: the kept lines of a dump, joined with "\\n" and cleaned
    again, are all kept (cleaning removes noise; what it kept is not noise the second
    time). Only the text of kept lines is compared; labels may differ (a title may become
    body once the lines above it are gone).

    Excluded: kept text whose first line looks like "Key: value". An editor's header is
    positional (the top of a file), so "\nTITLE:\n" keeps "TITLE:" as body but "TITLE:"
    alone is a header; hypothesis finds exactly that and nothing else in 5,000 examples.
    """
    lines, _ = clean_text(text, RULES)
    kept = kept_texts(lines)
    assume(not (kept and looks_like_header(kept[0])))
    again, _ = clean_text("\n".join(kept), RULES)
    assert kept_texts(again) == kept


@given(any_text)
def test_metadata_never_raises(text):
    lines, header = clean_text(text, RULES)
    meta = extract_metadata(lines, header, RULES)
    assert isinstance(meta.display_title, str)


@given(st.text(), st.text())
def test_slug_is_ascii_nonempty_and_safe(text, fallback):
    slug = slugify(text, fallback=fallback)
    assert slug and slug.isascii() and is_safe_slug(slug)
    assert "/" not in slug and ".." not in slug and not slug.startswith("-")


@given(st.lists(st.tuples(st.text(max_size=20), st.text(max_size=30)), max_size=20, unique_by=lambda t: t[0]))
def test_unique_slugs_are_unique_and_safe(items):
    wanted = [(key, slugify(title)) for key, title in items]
    result = assign_unique_slugs(wanted)
    assert set(result) == {k for k, _ in wanted}
    assert len(set(result.values())) == len(result)
    assert all(is_safe_slug(s) for s in result.values())


@given(st.binary(max_size=2000))
def test_decode_any_bytes_gives_nfc_text_or_a_rejection(data):
    try:
        decoded = decode_bytes(data, "fuzz.txt")
    except DumpRejected as exc:
        assert exc.reason
        return
    assert unicodedata.is_normalized("NFC", decoded.text)
    assert decoded.text.strip() and decoded.encoding
    assert "\x00" not in decoded.text


@given(st.text(alphabet=VIETNAMESE + VIETNAMESE.upper() + " .,\n", min_size=1, max_size=300))
def test_legacy_tables_round_trip_any_vietnamese_text(text):
    for table in legacy_tables():
        assert table.decode(table.encode(text)) == unicodedata.normalize("NFC", text)


def _encoded(text: str) -> st.SearchStrategy[bytes]:
    return st.sampled_from(["utf-8", "utf-16", "cp1258", "latin-1"]).map(
        lambda enc: text.encode(enc, errors="replace")
    )


fuzz_bytes = st.one_of(
    st.binary(max_size=3000),
    dump_text.flatmap(_encoded),
    st.tuples(dump_text, st.binary(max_size=50)).map(lambda t: t[0].encode("utf-8") + t[1]),
)


@settings(parent=settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "default")))
@given(fuzz_bytes)
def test_fuzz_bytes_through_decode_clean_metadata(data):
    """Random bytes through the whole pure pipeline: an article or a rejection, never a crash."""
    try:
        article = process_dump(data, "fuzz/x.txt", RULES)
    except DumpRejected as exc:
        assert exc.reason
        return
    assert is_safe_slug(article.slug)
    assert article.meta.display_title
    assert any(ln.kept for ln in article.lines)
    assert all(unicodedata.is_normalized("NFC", ln.text) for ln in article.lines)
