"""Translation chain: sidecars (human), glossary summary (none), fall-through, bad input."""

from __future__ import annotations

import json

import pytest
from conftest import DUMPS, SEED_STEMS, build_site
from news_digest.model import EntityMention, ResolvedDate, TopicScore
from news_digest.pipeline import process_dump
from news_digest.translate import (
    HUMAN,
    NONE,
    Glossary,
    GlossaryTranslator,
    SidecarError,
    SidecarTranslator,
    TranslationChain,
    TranslatorError,
    parse_sidecar,
)
from news_digest.translate.model_ct2 import ModelTranslator, split_sentences

STEM = "004_f1c2a3039ebafd8a"
SLUG = "lanh-dao-my-va-nhat-ban-cong-bo-ke-hoach-tang-cuong-hop-tac-quan-su"


@pytest.fixture
def article(rules):
    return process_dump((DUMPS / f"{STEM}.txt").read_bytes(), f"dumps/{STEM}.txt", rules)


def test_sidecar_title_from_front_matter_or_first_heading():
    a = parse_sidecar("---\ntitle: A title\n---\n\nFirst para.\n\nSecond\npara.\n", "translations/x.en.md")
    assert (a.stem, a.title, a.paragraphs) == ("x", "A title", ["First para.", "Second para."])
    b = parse_sidecar("# Heading title\n\nBody text.\n", "translations/y.en.md")
    assert b.title == "Heading title" and b.paragraphs == ["Body text."]
    assert "Heading title" not in b.html and b.html == "<p>Body text.</p>"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty file"),
        ("  \n\n", "empty file"),
        ("---\ntitle: [unclosed\n---\nBody\n", "broken front matter"),
        ("---\ntitle: x\nBody without closing line\n", "broken front matter: no closing"),
        ("---\n- a list\n---\nBody\n", "must be a mapping"),
        ("---\ntitle: 42\n---\nBody\n", "'title' must be text"),
        ("Body but no title anywhere.\n", "no title"),
        ("---\ntitle: Only a title\n---\n", "no body text"),
    ],
)
def test_unusable_sidecars_are_rejected_with_a_reason(text, reason):
    with pytest.raises(SidecarError, match=reason):
        parse_sidecar(text, "translations/x.en.md")


def test_sidecar_markdown_never_passes_raw_html():
    side = parse_sidecar(
        "# T\n\nA <script>alert(1)</script> and <b>bold</b> &amp; text.\n\n"
        "<div onclick=x>block html</div>\n\n[click](javascript:alert(1)) [ok](https://example.org/)\n\n"
        "![remote](http://example.org/img.png)\n",
        "translations/x.en.md",
    )
    html = side.html
    assert "<script" not in html and "<b>" not in html and "<div" not in html and "<img" not in html
    assert "&lt;script&gt;" in html and "&lt;div onclick=x&gt;" in html
    assert "javascript:" not in html and 'href="https://example.org/"' in html
    assert "remote" in html  # the image's alt text stays, the remote request does not


def test_chain_prefers_the_human_sidecar(article):
    side = parse_sidecar("# Leaders announce plans\n\nParagraph one.\n", f"translations/{STEM}.en.md")
    chain = TranslationChain([SidecarTranslator({STEM: side}), GlossaryTranslator()])
    result = chain.translate(article)
    assert result.provenance == HUMAN and result.title == "Leaders announce plans"
    assert result.translator == f"translations/{STEM}.en.md"


def test_glossary_fallback_is_marked_untranslated_and_invents_nothing(article):
    article.topics = [TopicScore("defence", 1.0), TopicScore("no-english-name", 0.5)]
    article.entities = [EntityMention("kishida", 3), EntityMention("biden", 5)]
    glossary = Glossary.from_yaml_docs(
        {
            "topics": [
                {"id": "defence", "name": "Quốc phòng", "name_en": "Defence"},
                {"id": "no-english-name", "name": "X"},
            ]
        },
        {
            "entities": [
                {"id": "biden", "name": "Joe Biden", "name_en": "Joe Biden"},
                {"id": "kishida", "name_en": "Fumio Kishida"},
            ]
        },
    )
    article.meta.date = ResolvedDate(None, "none")
    result = TranslationChain([SidecarTranslator({}), GlossaryTranslator(glossary)]).translate(article)
    assert result.provenance == NONE and result.notice == "not-translated"
    assert result.title == "Not yet translated: article from VietnamPlus (Vietnam News Agency)"
    assert "Date: unknown" in result.paragraphs
    article.meta.date = ResolvedDate("2023-06-01", "high")
    dated = GlossaryTranslator(glossary).translate(article)
    assert dated.title.endswith(", June 1, 2023") and "Date: June 1, 2023" in dated.paragraphs
    assert "Topics: Defence" in result.paragraphs
    assert "Mentioned: Joe Biden, Fumio Kishida" in result.paragraphs  # most mentioned first
    body = " ".join(ln.text for ln in article.body_lines)
    for para in result.paragraphs:  # no Vietnamese text passed off as a translation
        assert para not in body
    assert not any(ch in "ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệ" for ch in result.title + " ".join(result.paragraphs))


class Broken:
    name = "model"
    calls = 0

    def translate(self, article):
        Broken.calls += 1
        raise TranslatorError("model directory /nowhere not found")


def test_a_broken_translator_is_reported_once_and_the_chain_falls_through(article):
    chain = TranslationChain([Broken(), GlossaryTranslator()])
    assert chain.translate(article).provenance == NONE
    assert chain.translate(article).provenance == NONE
    assert Broken.calls == 1 and chain.errors == {"model": "model directory /nowhere not found"}


@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        (lambda d: None, "not found"),
        (lambda d: d.mkdir(), "no model.bin"),
        (lambda d: (d.mkdir(), (d / "model.bin").write_bytes(b"garbage")), "no source.spm"),
    ],
)
def test_model_translator_raises_one_clear_error_on_a_broken_directory(tmp_path, article, setup, reason):
    model_dir = tmp_path / "model"
    setup(model_dir)
    with pytest.raises(TranslatorError, match=reason):
        ModelTranslator(model_dir).translate(article)


def test_split_sentences_keeps_every_character():
    text = "Ông Kishida tuyên bố: “Những nỗ lực đơn phương là không thể chấp nhận.” Theo kế hoạch, ông sẽ phát biểu. Hết"
    parts = split_sentences(text)
    assert len(parts) == 3 and " ".join(parts) == text


def test_site_reports_used_ignored_and_rejected_sidecars(make_content, tmp_path):
    good = (DUMPS.parent / "translations" / f"{STEM}.en.md").read_text(encoding="utf-8")
    content = make_content(
        seeds=[STEM, "002_1d216cd8c5788951"],
        extra={
            f"translations/{STEM}.en.md": good,
            "translations/999_nodump.en.md": "# Orphan\n\nNo dump has this stem.\n",
            "translations/002_1d216cd8c5788951.en.md": "---\ntitle: [broken\n---\nBody\n",
            "translations/empty.en.md": "",
        },
    )
    out = build_site(content, tmp_path / "out")
    entries = {e["source"]: e for e in json.loads((out / "report" / "report.json").read_text())["entries"]}
    assert entries[f"translations/{STEM}.en.md"]["status"] == "used"
    assert entries[f"translations/{STEM}.en.md"]["kind"] == "translation"
    assert entries["translations/999_nodump.en.md"]["status"] == "ignored"
    assert "names no published dump" in entries["translations/999_nodump.en.md"]["reason"]
    assert entries["translations/002_1d216cd8c5788951.en.md"]["status"] == "rejected"
    assert "broken front matter" in entries["translations/002_1d216cd8c5788951.en.md"]["reason"]
    assert entries["translations/empty.en.md"]["status"] == "rejected"
    assert entries["translations/empty.en.md"]["reason"] == "empty file"
    human = (out / "en" / "articles" / SLUG / "index.html").read_text(encoding="utf-8")
    assert 'data-provenance="human"' in human and "US and Japanese leaders announce plans" in human
    # the broken sidecar was ignored: the article falls back to the untranslated summary
    none = (
        out / "en" / "articles" / "my-va-nhat-ban-to-chuc-doi-thoai-ran-de-mo-rong" / "index.html"
    ).read_text(encoding="utf-8")
    assert 'data-provenance="none"' in none and "not yet been translated" in none
    assert 'href="../../../articles/my-va-nhat-ban-to-chuc-doi-thoai-ran-de-mo-rong/"' in none
    assert "Hai bên cũng thảo luận" not in none  # no Vietnamese body passed off as English
    assert "Not yet translated" in (out / "en" / "index.html").read_text(encoding="utf-8")
    assert not (out / "en" / "articles" / "orphan").exists()


def test_broken_model_directory_gives_one_report_error_and_falls_through(make_content, tmp_path):
    (tmp_path / "broken-model").mkdir()
    content = make_content(seeds=SEED_STEMS[:2])
    out = build_site(content, tmp_path / "out", NEWS_DIGEST_MT_MODEL=str(tmp_path / "broken-model"))
    report = json.loads((out / "report" / "report.json").read_text())
    models = [e for e in report["entries"] if e["kind"] == "model"]
    assert len(models) == 1 and models[0]["status"] == "rejected"
    assert "no model.bin" in models[0]["reason"]
    pages = list((out / "en" / "articles").glob("*/index.html"))
    assert len(pages) == 2
    assert all('data-provenance="none"' in p.read_text(encoding="utf-8") for p in pages)


@pytest.mark.parametrize("stem", SEED_STEMS)
def test_demo_sidecars_are_complete_translations_of_the_gold_text(stem, gold):
    """Each demo translation has a title and one paragraph per gold body paragraph, and
    keeps the figures (years, percentages) of the Vietnamese text."""
    import re

    path = DUMPS.parent / "translations" / f"{stem}.en.md"
    side = parse_sidecar(path.read_text(encoding="utf-8"), f"translations/{path.name}")
    lines = gold[stem]["lines"]
    body = [ln["text"] for ln in lines if ln["label"] == "body"]
    credits = [ln["text"] for ln in lines if ln["label"] == "credit"]
    assert side.title and len(side.paragraphs) == len(body) + len(credits)
    figures = set(re.findall(r"\b\d{4}\b|\d+%", " ".join(body)))
    for figure in figures:
        assert figure in " ".join(side.paragraphs), f"{stem}: {figure} missing from the translation"
    assert not re.search(
        r"[ăâđêôơưạảấầậắằẵặẹẻẽếềểệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", side.title + " ".join(side.paragraphs)
    )


def test_localized_names_follow_the_page_language():
    from jinja2 import Environment
    from news_digest import i18n
    from news_digest.model import Outlet

    env = Environment(autoescape=True)
    i18n.install(env, "/nonexistent")
    tpl = env.from_string("{{ localized(o) }}|{{ t | localized }}|{{ d | format_date }}|{{ site_name() }}")
    import datetime as dt

    outlet = Outlet(id="vov", name="VOV", name_en="Voice of Vietnam (VOV)", domain=None, confidence="high")
    ctx = dict(
        o=outlet,
        t={"name": "Quốc phòng", "name_en": "Defence"},
        d=dt.date(2023, 6, 1),
        DEFAULT_LANG="vi",
        SITENAME="Điểm tin",
        SITENAME_EN="News Digest",
    )
    assert tpl.render(page_lang="vi", **ctx) == "VOV|Quốc phòng|1 tháng 6, 2023|Điểm tin"
    assert tpl.render(page_lang="en", **ctx) == "Voice of Vietnam (VOV)|Defence|June 1, 2023|News Digest"
    assert i18n.pick_name({"name": "Chỉ tiếng Việt"}, "en") == "Chỉ tiếng Việt"  # no name_en: fall back
