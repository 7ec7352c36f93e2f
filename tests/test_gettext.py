"""UI strings: every string the templates mark for translation exists in vi and en."""

from __future__ import annotations

import re

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from conftest import REPO

THEME = REPO / "themes" / "digest"
LANGS = ("vi", "en")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def template_messages() -> set[str | tuple[str, ...]]:
    """Message ids in the templates, found by Jinja's Babel extractor (as `make extract-messages`)."""
    found = extract_from_dir(
        str(THEME / "templates"),
        method_map=[("**.html", "jinja2.ext:babel_extract")],
        options_map={
            "**.html": {"extensions": "jinja2.ext.i18n", "trim_blocks": "True", "lstrip_blocks": "True"}
        },
    )
    ids = set()
    for _file, _line, message, _comments, _ctx in found:
        ids.add(message)  # a plural message stays one (singular, plural) tuple
    return ids


def catalog(lang: str):
    with open(THEME / "translations" / lang / "LC_MESSAGES" / "messages.po", "rb") as f:
        return read_po(f, locale=lang)


def test_templates_have_ui_strings():
    ids = template_messages()
    assert {"Home", "Archives", "Undated", "Read the Vietnamese original"} <= ids


def untranslated(cat, ids) -> list[str]:
    """Ids with no usable translation: absent, empty, fuzzy, or placeholders that differ."""
    missing = []
    for msgid in sorted(ids, key=str):
        message = cat.get(msgid)
        # Plural messages have a tuple id (singular, plural) and a tuple of forms.
        ids_ = msgid if isinstance(msgid, tuple) else (msgid,)
        forms = message.string if message is not None else ()
        forms = forms if isinstance(forms, tuple) else (forms,)
        wanted = set().union(*(PLACEHOLDER.findall(i) for i in ids_))
        if (
            message is None
            or not all(forms)
            or message.fuzzy
            or any(set(PLACEHOLDER.findall(f)) != wanted for f in forms)
        ):
            missing.append(msgid)
    return missing


@pytest.mark.parametrize("lang", LANGS)
def test_every_ui_string_is_translated(lang):
    missing = untranslated(catalog(lang), template_messages())
    assert not missing, (
        f"{lang}: untranslated UI strings (run `make extract-messages`, then translate): {missing}"
    )


def test_vietnamese_catalog_is_really_vietnamese():
    cat = catalog("vi")
    assert cat.get("Home").string == "Trang chủ"
    assert cat.get("Undated").string == "Chưa rõ ngày"


def test_compiled_catalogs_exist_and_are_fresh():
    for lang in LANGS:
        po = THEME / "translations" / lang / "LC_MESSAGES" / "messages.po"
        mo = po.with_suffix(".mo")
        assert mo.is_file(), f"{mo} missing: run `make catalogs` (make html / make test do it)"
        assert mo.stat().st_mtime >= po.stat().st_mtime, f"{mo} older than {po}: run `make catalogs`"


def test_completeness_check_catches_new_and_broken_strings():
    cat = catalog("vi")
    cat.get("Home").string = ""
    cat.get("Page %(num)s of %(total)s").string = "Trang %(so)s"
    ids = template_messages() | {"A string nobody translated"}
    assert untranslated(cat, ids) == ["A string nobody translated", "Home", "Page %(num)s of %(total)s"]
