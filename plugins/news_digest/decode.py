"""Decode stage: bytes of a dump → NFC text, with the encoding that was found.

Vietnamese dumps arrive in many encodings: UTF-8 (with or without BOM), UTF-16 with a
BOM, Windows-1258 (tone marks as combining characters), the legacy 8-bit font encodings
TCVN3 ("ABC") and VNI (tables in ``data/encodings/``), NFD text, and mojibake (UTF-8
read as Windows-1252 and saved again). Detection is by content, never by file name:
every plausible decoding of a sample is scored by how Vietnamese it looks (the share of
its words with Vietnamese letters that are valid Vietnamese syllables) and the best one
wins. Every stage after this one can assume NFC.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from .model import Decoded, DumpRejected

#: Share of control characters (other than tab/newline/CR) above which bytes are
#: taken for a binary file rather than text.
BINARY_CONTROL_RATIO = 0.05
#: Detection scores this many leading bytes (characters for text); the winner then
#: decodes the whole dump. Enough words for a verdict, bounded time on a 50 MB dump.
SAMPLE_SIZE = 64 * 1024
#: A candidate must beat the plain decoding by this much to replace it.
MIN_GAIN = 0.15

ENCODINGS_DIR = Path(__file__).resolve().parent / "data" / "encodings"

# --- How Vietnamese does a text look? ---------------------------------------------------

TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")
_INITIALS = "ngh|ng|gh|gi|kh|nh|ph|th|tr|ch|qu|[bcdđghklmnprstvx]"
#: Vowel groups of Vietnamese syllables (without tone), longest first in the regex.
_NUCLEI = (
    "a ă â e ê i o ô ơ u ư y ai ao au ay âu ây eo êu ia iê iu oa oă oe oi ôi ơi oo ua uâ "
    "uê ui uô uơ uy ưa ưi ươ ưu yê iêu yêu oai oao oay oeo uây uôi uya uyê uyu ươi ươu"
).split()
_FINALS = "ch|nh|ng|[cmnpt]"
_SYLLABLE = re.compile(
    rf"^(?:{_INITIALS})?(?:{'|'.join(sorted(_NUCLEI, key=len, reverse=True))})(?:{_FINALS})?$"
)
_WORD = re.compile(r"[^\W\d_]+")
#: Signs of a wrong decoding: U+FFFD, C0 controls other than whitespace, DEL and C1.
_BAD_CHAR = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffd]")


@lru_cache(maxsize=65536)
def is_vietnamese_syllable(word: str) -> bool:
    """True when ``word`` is spelled like one Vietnamese syllable with at most one tone.

    >>> is_vietnamese_syllable("Nguyễn"), is_vietnamese_syllable("TiÕng")
    (True, False)
    """
    nfd = unicodedata.normalize("NFD", word.lower())
    tones = sum(1 for ch in nfd if ch in TONE_MARKS)
    if tones > 1:
        return False
    base = unicodedata.normalize("NFC", "".join(ch for ch in nfd if ch not in TONE_MARKS))
    return bool(_SYLLABLE.match(base))


@dataclass(frozen=True)
class Score:
    """How Vietnamese a decoding looks: valid syllables among words with non-ASCII letters."""

    words: int  # words that contain a non-ASCII letter
    valid: int  # of those, valid Vietnamese syllables
    bad_chars: int  # U+FFFD, C0/C1 controls: signs of a wrong decoding

    @property
    def value(self) -> float:
        if not self.words and not self.bad_chars:
            return 0.0
        return (self.valid - self.bad_chars) / max(1, self.words)


def vietnamese_score(text: str) -> Score:
    """Score ``text`` (a sample): "Tiếng Việt" scores 1.0, "TiÕng ViÖt" (TCVN3 shown as
    Windows-1252) or "Tiáº¿ng Viá»‡t" (mojibake) score near 0."""
    # ASCII words are skipped: every candidate decodes ASCII alike, no evidence either way.
    # (findall and a comprehension: a Match object per word cost more than the scoring.)
    words = [w for w in _WORD.findall(text) if not w.isascii()]
    valid = sum(map(is_vietnamese_syllable, words))
    return Score(len(words), valid, len(_BAD_CHAR.findall(text)))


# --- Legacy 8-bit font encodings (TCVN3, VNI) -------------------------------------------


def _cp1252_view_table() -> str:
    """Each byte as Windows-1252 shows it (Latin-1 for the five bytes it leaves undefined)."""
    chars = []
    for b in range(256):
        try:
            chars.append(bytes([b]).decode("cp1252"))
        except UnicodeDecodeError:
            chars.append(chr(b))
    return "".join(chars)


CP1252_VIEW = _cp1252_view_table()
_CP1252_BYTE = {ch: b for b, ch in enumerate(CP1252_VIEW)}
_LATIN1_TO_VIEW = {b: CP1252_VIEW[b] for b in range(128, 256)}


def cp1252_view(data: bytes) -> str:
    """Bytes → text as a Windows-1252 system shows them, never failing."""
    return data.decode("latin-1").translate(_LATIN1_TO_VIEW)


class LegacyTable:
    """A font encoding: byte sequences ↔ Vietnamese letters, loaded from a data file.

    Decoding works on the Windows-1252 *view* of the bytes, so the same table converts
    raw 8-bit files and text that was already turned into Unicode glyph by glyph (a
    dump saved from a page that used the .VnTime or VNI-Times font: "TiÕng ViÖt").
    """

    def __init__(self, name: str, letters: dict[str, bytes], marks: dict[str, bytes], source: str):
        self.name = name
        self.source = source
        self.letters = letters
        self.to_text: dict[str, str] = {}
        for letter, seq in {**letters, **marks}.items():
            self.to_text[cp1252_view(seq)] = letter
        keys = sorted(self.to_text, key=len, reverse=True)
        self._pattern = re.compile("|".join(re.escape(k) for k in keys))

    def decode_view(self, view: str) -> str:
        """Windows-1252 view → Unicode (longest match first: "ôï" is ợ, "ô" alone is ơ)."""
        return unicodedata.normalize("NFC", self._pattern.sub(lambda m: self.to_text[m.group()], view))

    def decode(self, data: bytes) -> str:
        return self.decode_view(cp1252_view(data))

    def encode(self, text: str) -> bytes:
        """Unicode → bytes of this encoding (the inverse, for tests and round trips).

        Characters without a code here must be ASCII or Windows-1252, else ValueError.
        """
        out = bytearray()
        for ch in unicodedata.normalize("NFC", text):
            if ch in self.letters:
                out += self.letters[ch]
            elif ch in _CP1252_BYTE:
                out.append(_CP1252_BYTE[ch])
            else:
                raise ValueError(f"{self.name}: no code for {ch!r}")
        return bytes(out)


def _hex_bytes(value: object, path: Path, key: str) -> bytes:
    try:
        return bytes.fromhex(str(value))
    except ValueError:
        raise ValueError(f"{path} [{key}]: not hex bytes: {value!r}") from None


def load_legacy_table(path: Path) -> LegacyTable:
    """Load ``letters:`` (letter → hex bytes) and optional ``marks:`` from a YAML table."""
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(doc, dict) or not isinstance(doc.get("letters"), dict):
        raise ValueError(f"{path}: must be a mapping with a 'letters' mapping")
    letters = {str(k): _hex_bytes(v, path, str(k)) for k, v in doc["letters"].items()}
    marks = {str(k): _hex_bytes(v, path, str(k)) for k, v in (doc.get("marks") or {}).items()}
    return LegacyTable(str(doc.get("name", path.stem)), letters, marks, str(path))


@lru_cache(maxsize=4)
def legacy_tables(directory: str = str(ENCODINGS_DIR)) -> tuple[LegacyTable, ...]:
    """The font-encoding tables shipped with the plugin (TCVN3, VNI), loaded once."""
    return tuple(load_legacy_table(p) for p in sorted(Path(directory).glob("*.yaml")))


# --- Candidates ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    label: str
    convert: Callable  # bytes or str → str


def _fix_mojibake(text: str) -> str:
    """Undo UTF-8 read as Windows-1252/Latin-1 ("Tiáº¿ng" → "Tiếng") with ftfy.

    Only the encoding fixes are on: line breaks, quotes and widths stay as they are, so
    line numbers and text do not change otherwise.
    """
    import ftfy

    config = ftfy.TextFixerConfig(
        unescape_html=False,
        remove_terminal_escapes=False,
        fix_encoding=True,
        restore_byte_a0=True,
        replace_lossy_sequences=True,
        decode_inconsistent_utf8=True,
        fix_c1_controls=True,
        fix_latin_ligatures=False,
        fix_character_width=False,
        uncurl_quotes=False,
        fix_line_breaks=False,
        fix_surrogates=True,
        remove_control_chars=False,
        normalization=None,
        explain=False,
    )
    return ftfy.fix_text(text, config)


def text_candidates(tables: tuple[LegacyTable, ...]) -> list[Candidate]:
    """Readings of text that decoded as UTF-8: as is first (it wins ties)."""
    cands = [
        Candidate("utf-8", lambda t: t),
        Candidate("utf-8 mojibake (UTF-8 read as Windows-1252), repaired", _fix_mojibake),
    ]
    cands += [Candidate(f"{t.name} (font text saved as Unicode)", t.decode_view) for t in tables]
    return cands


def byte_candidates(tables: tuple[LegacyTable, ...]) -> list[Candidate]:
    """Readings of bytes that are not UTF-8, in order of preference on ties."""
    cands = [
        Candidate("utf-8 (invalid bytes replaced)", lambda b: b.decode("utf-8", errors="replace")),
        # Western text reads the same in both: the more common one wins the tie.
        Candidate("windows-1252", cp1252_view),
        Candidate("windows-1258", lambda b: b.decode("cp1258", errors="replace")),
    ]
    cands += [Candidate(t.name, t.decode) for t in tables]
    return cands


def choose(sample, candidates: list[Candidate]) -> tuple[Candidate, Score, Score]:
    """Score every candidate on ``sample``; returns (winner, its score, first's score).

    The first candidate is the plain reading; another must beat it by ``MIN_GAIN``.
    """
    scores = []
    for i, cand in enumerate(candidates):
        if i == 1 and scores[0] is not None and scores[0].value > 1.0 - MIN_GAIN:
            break  # the plain reading already looks Vietnamese: nothing can beat it
        try:
            scores.append(vietnamese_score(unicodedata.normalize("NFC", cand.convert(sample))))
        except Exception:  # a converter that cannot read this sample is not a candidate
            scores.append(None)
    first = scores[0] if scores[0] is not None else Score(0, 0, 0)
    best_i, best = 0, first
    for i, s in enumerate(scores[1:], start=1):
        if s is None:
            continue
        if s.value > best.value + (MIN_GAIN if best_i == 0 else 0.0):
            best_i, best = i, s
    return candidates[best_i], best, first


# --- The stage ----------------------------------------------------------------------------


def to_nfc(text: str) -> str:
    """Compose combining marks: 'Nhật' typed as NFD becomes the same string as NFC."""
    return unicodedata.normalize("NFC", text)


#: C0 controls other than the whitespace ones (tab, newline, vertical tab, form feed, CR).
_CONTROL_CHAR = re.compile("[\x00-\x08\x0e-\x1f]")


def _looks_binary(text: str) -> bool:
    if not text:
        return False
    sample = text[:65536]
    return len(_CONTROL_CHAR.findall(sample)) / len(sample) > BINARY_CONTROL_RATIO


def detect_bom(data: bytes) -> tuple[str | None, int]:
    """Return (codec, BOM length) when ``data`` starts with a Unicode byte-order mark."""
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            return codec, len(bom)
    return None, 0


def _describe(label: str, best: Score, first: Score, first_label: str) -> str:
    return (
        f"detected {label}: {best.valid}/{best.words} words with Vietnamese letters are "
        f"valid syllables (read as {first_label}: {first.valid}/{first.words})"
    )


def decode_bytes(
    data: bytes, source: str = "<dump>", tables: tuple[LegacyTable, ...] | None = None
) -> Decoded:
    """Decode a dump's bytes to NFC text and say which encoding was found.

    ``tables`` are the legacy font encodings to try (default: the plugin's TCVN3 and VNI).
    Raises :class:`DumpRejected` for inputs that are not text (empty, binary).
    """
    if not data:
        raise DumpRejected("empty file: no text to publish")
    if not data.strip():
        raise DumpRejected("empty file (whitespace only): no text to publish")
    tables = legacy_tables() if tables is None else tables
    notes: list[str] = []
    codec, bom_len = detect_bom(data)
    if codec:
        text = data[bom_len:].decode(codec, errors="replace")
        encoding = f"{codec} (BOM)"
        if "\ufffd" in text:
            notes.append("invalid bytes for the BOM's encoding replaced with U+FFFD")
        plain = True
    else:
        try:
            text = data.decode("utf-8")
            encoding = "ascii" if data.isascii() else "utf-8"
            plain = True
        except UnicodeDecodeError as exc:
            plain = False
            first_bad = exc.start
    if plain and not text.isascii():
        # Text that decoded may still be mojibake or font-encoded glyphs: score readings.
        cands = text_candidates(tables)
        cand, best, first = choose(text[:SAMPLE_SIZE], cands)
        if cand is not cands[0]:
            notes.append(_describe(cand.label, best, first, encoding))
            text = cand.convert(text)
            encoding = cand.label if not codec else f"{cand.label}, {codec} (BOM)"
    elif not plain:
        cands = byte_candidates(tables)
        cand, best, first = choose(data[:SAMPLE_SIZE], cands)
        text = cand.convert(data)
        encoding = cand.label
        if cand is cands[0]:
            notes.append(f"invalid UTF-8 at byte {first_bad}; bytes replaced with U+FFFD")
        else:
            notes.append(_describe(cand.label, best, first, "utf-8"))
    if "\x00" in text:
        if _looks_binary(text.replace("\x00", "")) or text.count("\x00") > len(text) // 10:
            raise DumpRejected("binary file: not a text dump (NUL bytes)")
        notes.append(f"removed {text.count(chr(0))} NUL characters")
        text = text.replace("\x00", "")
    if _looks_binary(text) or text.count("\ufffd") > max(16, len(text) // 20):
        raise DumpRejected("binary file: not a text dump")
    nfc = to_nfc(text)
    if nfc != text:
        notes.append("normalised to NFC")
        if encoding in ("utf-8", "utf-8 (BOM)"):
            encoding += ", NFD"  # decomposed input: the report says so
    del text
    if not nfc.strip():
        raise DumpRejected("empty file (whitespace only): no text to publish")
    return Decoded(text=nfc, encoding=encoding, notes=notes)
