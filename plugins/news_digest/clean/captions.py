"""Photo captions: keep the first copy, label it caption."""

from __future__ import annotations

from ..model import LineLabel
from .base import Doc, strip_pipes
from .vocab import CleanVocab


def is_caption_like(text: str, vocab: CleanVocab) -> bool:
    """A line carrying a photo credit: "... ngày 1/6. (Nguồn: Reuters)", "(Ảnh: AFP/TTXVN)"."""
    t = strip_pipes(text)
    return any(p.search(t) for p in vocab.caption_patterns)


def label_photo_captions(doc: Doc) -> None:
    """Lines ending (or starting) with a photo credit are captions, kept.

    Example (seed 000, line 7): ``Bộ trưởng Quốc phòng Mỹ Lloyd Austin duyệt đội danh dự ...
    ngày 1/6. (Nguồn: Reuters)``.
    """
    for _, ln in doc.content():
        if ln.rule is None and len(ln.text) <= 400 and is_caption_like(ln.text, doc.vocab):
            doc.decide(ln, LineLabel.CAPTION, "label_photo_captions", "photo caption with a credit")
