"""Decode stage: every encoding a Vietnamese dump arrives in, detected by content."""

from __future__ import annotations

import shutil
import subprocess
import unicodedata

import pytest
from conftest import DUMPS
from news_digest.decode import (
    cp1252_view,
    decode_bytes,
    is_vietnamese_syllable,
    legacy_tables,
    vietnamese_score,
)

VOWELS = "aăâeêioôơuưy"
TONES = ["", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323"]
#: Every vowel with every tone, both cases (144, of which 12 are plain ASCII) plus đ/Đ.
ALPHABET = [
    unicodedata.normalize("NFC", (v.upper() if up else v) + t)
    for up in (False, True)
    for v in VOWELS
    for t in TONES
] + ["đ", "Đ"]
NON_ASCII = [ch for ch in ALPHABET if not ch.isascii()]
SEED = (DUMPS / "004_f1c2a3039ebafd8a.txt").read_text(encoding="utf-8")


def tables():
    return {t.name: t for t in legacy_tables()}


def test_alphabet_sample_is_complete():
    assert len(ALPHABET) == 146 and len(set(ALPHABET)) == 146
    assert len(NON_ASCII) == 134
    assert all(len(ch) == 1 for ch in ALPHABET)


@pytest.mark.parametrize("name", ["tcvn3", "vni"])
def test_legacy_table_covers_the_whole_alphabet_and_round_trips(name):
    table = tables()[name]
    assert set(table.letters) == set(NON_ASCII)
    codes = list(table.letters.values())
    assert len(set(codes)) == len(codes), "two letters share a code"
    sample = " ".join(ALPHABET) + "\n" + "".join(ALPHABET)
    encoded = table.encode(sample)
    assert table.decode(encoded) == sample
    # The same text after a Windows-1252 system turned its glyphs into Unicode.
    assert table.decode_view(cp1252_view(encoded)) == sample


def test_tcvn3_table_agrees_with_glibc_iconv():
    """An independent implementation of TCVN 5712 (glibc's iconv) decodes every code alike."""
    if not shutil.which("iconv"):
        pytest.skip("iconv not installed")
    table = tables()["tcvn3"]
    for letter, code in table.letters.items():
        out = subprocess.run(
            ["iconv", "-f", "TCVN5712-1", "-t", "UTF-8"], input=code, capture_output=True, check=True
        ).stdout.decode("utf-8")
        assert unicodedata.normalize("NFC", out) == letter, (letter, code.hex())


@pytest.mark.parametrize(
    "name,shown,text",
    [
        # How the legacy fonts' text looks on a Windows-1252 system, as widely seen.
        ("tcvn3", "TiÕng ViÖt", "Tiếng Việt"),
        ("tcvn3", "NguyÔn", "Nguyễn"),
        ("tcvn3", "Hµ Néi", "Hà Nội"),
        ("tcvn3", "®\xadîc ng\xadêi", "được người"),
        ("vni", "Tieáng Vieät", "Tiếng Việt"),
        ("vni", "Haø Noäi", "Hà Nội"),
        ("vni", "ñöôïc ngöôøi", "được người"),
        ("vni", "VIEÄT NAM", "VIỆT NAM"),
    ],
)
def test_legacy_tables_on_known_samples(name, shown, text):
    assert tables()[name].decode_view(shown) == text
    assert tables()[name].encode(text) == shown.encode("cp1252")


def test_syllable_check():
    for word in ["Nguyễn", "được", "người", "khuya", "giữa", "quốc", "Việt", "ươu"]:
        assert is_vietnamese_syllable(word), word
    for word in ["TiÕng", "ViÖt", "Tieáng", "ñöôïc", "Tiáº", "hµ", "caféé", "ấá"]:
        assert not is_vietnamese_syllable(word), word
    assert vietnamese_score(SEED).value > 0.95


def _cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese Windows writes it: base letter + combining tone."""
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            nfd = unicodedata.normalize("NFD", ch)
            tones = "".join(c for c in nfd if c in "\u0300\u0301\u0303\u0309\u0323")
            base = unicodedata.normalize("NFC", "".join(c for c in nfd if c not in tones))
            out += (base + tones).encode("cp1258")
    return bytes(out)


def _plain(text: str) -> str:
    """The seed without the typographic quotes/dashes the 8-bit fonts cannot encode."""
    return text.replace("“", '"').replace("”", '"').replace("–", "-")


@pytest.mark.parametrize(
    "make,encoding",
    [
        (lambda t: t.encode("utf-8"), "utf-8"),
        (lambda t: b"\xef\xbb\xbf" + t.encode("utf-8"), "utf-8 (BOM)"),
        (lambda t: b"\xff\xfe" + t.encode("utf-16-le"), "utf-16-le (BOM)"),
        (lambda t: b"\xfe\xff" + t.encode("utf-16-be"), "utf-16-be (BOM)"),
        (lambda t: unicodedata.normalize("NFD", t).encode("utf-8"), "utf-8, NFD"),
        (_cp1258, "windows-1258"),
        (lambda t: tables()["tcvn3"].encode(_plain(t)), "tcvn3"),
        (lambda t: tables()["vni"].encode(_plain(t)), "vni"),
        (
            lambda t: cp1252_view(tables()["tcvn3"].encode(_plain(t))).encode("utf-8"),
            "tcvn3 (font text saved as Unicode)",
        ),
        (
            lambda t: cp1252_view(tables()["vni"].encode(_plain(t))).encode("utf-8"),
            "vni (font text saved as Unicode)",
        ),
        (
            lambda t: cp1252_view(t.encode("utf-8")).encode("utf-8"),
            "utf-8 mojibake (UTF-8 read as Windows-1252), repaired",
        ),
        (
            lambda t: t.encode("utf-8").decode("latin-1").encode("utf-8"),
            "utf-8 mojibake (UTF-8 read as Windows-1252), repaired",
        ),
    ],
    ids=[
        "utf8",
        "utf8-bom",
        "utf16le",
        "utf16be",
        "nfd",
        "cp1258",
        "tcvn3",
        "vni",
        "tcvn3-unicode",
        "vni-unicode",
        "mojibake-cp1252",
        "mojibake-latin1",
    ],
)
def test_seed_in_every_encoding_decodes_to_the_same_nfc_text(make, encoding):
    legacy = encoding.startswith(("tcvn3", "vni"))
    expected = _plain(SEED) if legacy else SEED
    decoded = decode_bytes(make(SEED), "dumps/x.txt")
    assert decoded.encoding == encoding
    assert decoded.text == expected
    assert unicodedata.is_normalized("NFC", decoded.text)


def test_full_alphabet_detected_in_every_encoding():
    """The alphabet sample, as words, survives detection in each 8-bit encoding."""
    words = " ".join(["Tiếng Việt"] * 5 + ALPHABET[:72] + ["Đà Nẵng", "Hà Nội", "Nguyễn Ánh"] * 20)
    for name in ("tcvn3", "vni"):
        decoded = decode_bytes(tables()[name].encode(words))
        assert decoded.encoding == name and decoded.text == words
    assert decode_bytes(_cp1258(words)).text == words


def test_plain_western_text_is_not_taken_for_vietnamese():
    text = "Le café est très crème, déjà vu à Paris.\n"
    decoded = decode_bytes(text.encode("cp1252"))
    assert decoded.text == text and decoded.encoding == "windows-1252"
    assert decode_bytes(text.encode("utf-8")).encoding == "utf-8"


def test_invalid_utf8_in_vietnamese_text_is_replaced_not_misread():
    data = SEED.encode("utf-8")
    broken = data[:100] + b"\xff" + data[100:]
    decoded = decode_bytes(broken)
    assert decoded.encoding == "utf-8 (invalid bytes replaced)"
    assert decoded.text.replace("\ufffd", "") == SEED
