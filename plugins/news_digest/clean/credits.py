"""Source credits: "Theo vtv.vn", "(TTXVN/Vietnam+)", "(theo Kyodo, AFP)".

A credit names where the text came from; it is short and made of names, unlike a body
paragraph that merely starts with "Theo" ("Theo ông, ...", "Theo kế hoạch, ...").
"""

from __future__ import annotations

import re

from ..model import LineLabel
from .base import Doc, strip_pipes

MAX_CREDIT_CHARS = 80
_THEO = re.compile(r"^\(?\s*(?:theo|nguồn|source|according to)\s*:?\s+(?P<src>[^()]+?)\s*\)?\s*\.?$", re.I)
_NAME_THEO = re.compile(
    r"^(?P<who>[^()]{2,40}?)\s*[(\[]\s*(?:theo|nguồn|tổng hợp|lược dịch|biên dịch)\b(?P<src>[^()]*)[)\]]\.?$",
    re.I,
)
_WIRE = re.compile(r"^\(\s*(?P<src>[^()]{2,40})\s*\)\.?$")
_DOMAIN = re.compile(r"^[\w-]+(\.[\w-]+)*\.(vn|com|net|org|info|gov|edu|uk|jp|cn|kr|fr|de|ru)$", re.I)
_SPLIT = re.compile(r"\s*(?:,|/|;|&|\+(?=\s)|\bvà\b|\band\b)\s*")
_LOWER_OK = {"và", "and", "của", "tại", "the", "of", "news", "times", "post", "online", "điện", "tử"}
#: Lower-case words that may open a source name: "Theo báo Thanh Niên", "theo hãng tin AP".
_DESCRIPTORS = re.compile(
    r"^(?:báo|tạp chí|trang tin|trang web|trang|hãng tin|hãng thông tấn|hãng|kênh|đài|tờ báo|tờ|"
    r"thông tấn xã|cổng thông tin|tập đoàn truyền thông)\s+(?=\S)",
    re.I,
)
_COMPILED = re.compile(
    r"^[(\[]?\s*(?:pv\s*)?(?:tổng hợp|lược dịch|biên dịch|tổng hợp từ [^()]{2,50})\s*[)\]]?\.?$", re.I
)


def is_source_name(part: str) -> bool:
    """ "Kyodo", "vtv.vn", "Vietnam+", "Tân Hoa Xã": capitalised words or a domain."""
    part = _DESCRIPTORS.sub("", part.strip(" ."))
    if not part or len(part.split()) > 6:
        return False
    if _DOMAIN.match(part):
        return True
    ws = part.split()
    if not (ws[0][0].isupper() or ws[0][0].isdigit()):
        return False
    return all(w[0].isupper() or w[0].isdigit() or w.lower() in _LOWER_OK or not w[0].isalpha() for w in ws)


def is_credit(text: str) -> bool:
    t = strip_pipes(text)
    if not t or len(t) > MAX_CREDIT_CHARS:
        return False
    if _COMPILED.match(t):
        return True
    for rx in (_THEO, _WIRE):
        m = rx.match(t)
        if m:
            parts = [p for p in _SPLIT.split(m.group("src")) if p]
            return bool(parts) and all(is_source_name(p) for p in parts)
    m = _NAME_THEO.match(t)
    if m:
        parts = [p for p in _SPLIT.split(m.group("src")) if p]
        return all(is_source_name(p) for p in parts)
    return False


def label_credits(doc: Doc) -> None:
    """Keep source credits as credit lines.

    Example: ``Theo vtv.vn`` (seed 001), ``(TTXVN/Vietnam+)`` (seed 004),
    ``(theo Kyodo, AFP)`` (seed 000), ``Minh Anh (theo Reuters)``; not ``Theo ông, ...``.
    """
    for _, ln in doc.content():
        if ln.rule is None and is_credit(ln.text):
            doc.decide(ln, LineLabel.CREDIT, "label_credits", "source credit")
