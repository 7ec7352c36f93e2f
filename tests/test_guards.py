"""Guards of the pipeline glue: long lines, YAML alias bombs, sidecars."""

from __future__ import annotations

import time

import pytest
from news_digest.model import DumpRejected, LineLabel
from news_digest.pipeline import MAX_LINE_CHARS, RULE_VIEW_CHARS, clip_long_lines, process_dump
from news_digest.reader import read_sidecar_meta
from news_digest.rules import DataFileError, load_yaml
from news_digest.slugs import is_safe_slug
from test_malformed import ALIAS_BOMB


def test_clip_long_lines_keeps_numbering_with_every_line_break():
    text = "a\n" + "b" * 5000 + "\r\nc\u2028" + "d" * 3000 + "\x0bend"
    clipped, originals = clip_long_lines(text, limit=2000)
    assert len(clipped.splitlines()) == len(text.splitlines())
    assert set(originals) == {2, 4}
    assert originals[2] == "b" * 5000 and originals[4] == "d" * 3000
    assert all(len(x) <= 2000 for x in clipped.splitlines())
    assert clip_long_lines("short\nlines\n") == ("short\nlines\n", {})


def test_long_paragraph_is_kept_whole_and_overlong_line_dropped_with_its_number(rules):
    para = "Một đoạn văn rất dài. " * 200  # ~4,400 characters: a real (long) paragraph
    junk = "QUJD" * (MAX_LINE_CHARS // 4 + 1)  # base64-like, over the limit
    article = process_dump(f"Tiêu đề\n\n{para}\n{junk}\nKết thúc.\n".encode(), "x.txt", rules)
    by_n = {ln.n: ln for ln in article.lines}
    assert len(para) > RULE_VIEW_CHARS
    assert by_n[3].text == para and by_n[3].kept
    assert by_n[4].label is LineLabel.BOILERPLATE and by_n[4].rule == "overlong_line"
    assert by_n[4].text == junk  # shown in `inspect`, not published
    assert any(w.line == 4 and "dropped" in w.message for w in article.warnings)


@pytest.mark.parametrize(
    "line",
    ["| " * 1_000_000 + "x", " " * 2_000_000 + "x", "theo dõi " * 200_000, "(" * 1_000_000],
    ids=["pipes", "spaces", "follow-us", "parens"],
)
def test_megabyte_line_cannot_make_a_rule_backtrack(rules, line):
    """Regexes in clean/ and metadata.py only ever see RULE_VIEW_CHARS of a line.

    Without the guard, strip_pipes' ``(\\s*\\|)+\\s*$`` takes ~36 s on 20,000 characters
    of "| | |"; this test keeps the guard (or a linear rule) in place after merges. The
    bound is a hang detector, not a speed target.
    """
    start = time.monotonic()
    with pytest.raises(DumpRejected) as exc:
        process_dump(f"{line}\n".encode(), "x.txt", rules)
    assert exc.value.line == 1
    assert time.monotonic() - start < 10


def test_alias_bomb_sidecar_is_refused_naming_the_file(tmp_path):
    dump = tmp_path / "tin.txt"
    dump.write_text("Tin\n\nMột đoạn.\n")
    (tmp_path / "tin.meta.yaml").write_text(ALIAS_BOMB)
    with pytest.raises(DataFileError) as exc:
        read_sidecar_meta(dump)
    assert "tin.meta.yaml" in str(exc.value) and "alias" in str(exc.value)


def test_sidecar_without_aliases_is_read(tmp_path):
    dump = tmp_path / "tin.txt"
    dump.write_text("Tin\n\nMột đoạn.\n")
    (tmp_path / "tin.meta.yaml").write_text("title: Tin sửa\ndate: 2024-04-10\n")
    assert read_sidecar_meta(dump)["title"] == "Tin sửa"


@pytest.mark.parametrize("libyaml", [True, False], ids=["libyaml", "pure-python"])
def test_rule_files_may_use_a_few_aliases_but_not_a_bomb(tmp_path, monkeypatch, libyaml):
    import news_digest.rules as rules_mod

    if not libyaml:  # the fallback when PyYAML was built without libyaml
        monkeypatch.setattr(rules_mod, "_CSafeLoader", None)
    ok = tmp_path / "ok.yaml"
    ok.write_text("base: &b {role: publisher}\nitems: [*b, *b]\n")
    assert load_yaml(ok)["items"][1] == {"role": "publisher"}
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(ALIAS_BOMB)
    with pytest.raises(DataFileError) as exc:
        load_yaml(bomb)
    assert "bomb.yaml" in str(exc.value) and "line" in str(exc.value) and "alias" in str(exc.value)
    # exactly at the limit is fine, one more is not
    at_limit = tmp_path / "limit.yaml"
    at_limit.write_text("a: &a x\nl: [" + ", ".join(["*a"] * 50) + "]\n")
    assert load_yaml(at_limit)["l"][49] == "x"
    with pytest.raises(DataFileError, match="alias"):
        load_yaml(at_limit, max_aliases=49)


@pytest.mark.parametrize("data", [b".", b"\xe2\x80\x94", b"...\n\n!!!", b"- -"])
def test_dump_without_a_usable_title_is_rejected_or_gets_a_placeholder(rules, data):
    """Found by the fuzz test: a dump whose only text is "." had an empty title.

    Such a dump is either rejected with a reason (the cleaner sees no article text) or
    published under a placeholder title with the file stem as slug — never untitled.
    """
    try:
        article = process_dump(data, "dumps/bai-01.txt", rules)
    except DumpRejected as exc:
        assert exc.reason
        return
    assert article.meta.display_title.strip()
    if article.meta.title_source == "derived" and not article.meta.title:
        assert article.slug == "bai-01" or is_safe_slug(article.slug)
