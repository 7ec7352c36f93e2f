"""Second link of the chain: an offline machine-translation model (CTranslate2).

The model directory (setting NEWS_DIGEST_MT_MODEL) is a converted CTranslate2 model,
e.g. an OPUS-MT Marian vi→en model converted with ``ct2-transformers-converter``, with
the SentencePiece models beside it: ``source.spm`` (and ``target.spm``; when absent the
source model detokenizes). Sentences are translated in batches; the result's provenance
is ``machine`` and names the model.

``ctranslate2`` and ``sentencepiece`` are the optional extra ``mt``; without them, or with
a broken directory, :class:`TranslatorError` tells the chain to fall through.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..model import DigestArticle, LineLabel, Translation
from .base import MACHINE, TranslatorError

NOTICE = "machine-translated"
_SENTENCE_END = re.compile(r"(?<=[.!?…»”\"])\s+(?=[A-ZÀ-Ỹ\"“(])")
EOS = "</s>"


def split_sentences(paragraph: str) -> list[str]:
    """Split a paragraph at sentence ends: MT models are trained on sentences.

    >>> split_sentences("Ông Austin đã gặp ông Hayashi. Bộ trưởng sẽ chào xã giao.")
    ['Ông Austin đã gặp ông Hayashi.', 'Bộ trưởng sẽ chào xã giao.']
    """
    return [s for s in _SENTENCE_END.split(paragraph.strip()) if s]


class ModelTranslator:
    """Translates title and body lines sentence by sentence with a CTranslate2 model."""

    name = "model"

    def __init__(self, model_dir: str | Path, batch_size: int = 16, device: str = "cpu"):
        self.model_dir = Path(model_dir)
        self.batch_size = batch_size
        self.device = device
        self._translator = None
        self._source_sp = None
        self._target_sp = None
        self.batches_run = 0  # how many translate_batch calls (tests check batching)

    def load(self) -> None:
        """Load the model once; any problem becomes one :class:`TranslatorError`."""
        if self._translator is not None:
            return
        try:
            import ctranslate2
            import sentencepiece
        except ImportError as exc:
            raise TranslatorError(
                f"machine translation needs the 'mt' extra (pip install 'news-digest[mt]'): {exc}"
            ) from None
        d = self.model_dir
        if not d.is_dir():
            raise TranslatorError(f"model directory {d} not found")
        if not (d / "model.bin").is_file():
            raise TranslatorError(f"model directory {d} has no model.bin (not a CTranslate2 model)")
        source_spm = d / "source.spm"
        if not source_spm.is_file():
            raise TranslatorError(f"model directory {d} has no source.spm (SentencePiece model)")
        target_spm = d / "target.spm" if (d / "target.spm").is_file() else source_spm
        try:
            self._source_sp = sentencepiece.SentencePieceProcessor(model_file=str(source_spm))
            self._target_sp = sentencepiece.SentencePieceProcessor(model_file=str(target_spm))
            self._translator = ctranslate2.Translator(str(d), device=self.device)
        except Exception as exc:  # ctranslate2/sentencepiece raise RuntimeError, ValueError…
            raise TranslatorError(f"cannot load model {d}: {type(exc).__name__}: {exc}") from None

    def translate_segments(self, segments: list[str]) -> list[str]:
        """Translate sentences in batches of ``batch_size``; order is kept."""
        self.load()
        out: list[str] = []
        for start in range(0, len(segments), self.batch_size):
            batch = segments[start : start + self.batch_size]
            tokens = [self._source_sp.encode(s, out_type=str) + [EOS] for s in batch]
            results = self._translator.translate_batch(
                tokens,
                max_batch_size=self.batch_size,
                beam_size=1,
                max_decoding_length=max(16, 2 * max(len(t) for t in tokens)),
            )
            self.batches_run += 1
            for result in results:
                pieces = [p for p in result.hypotheses[0] if p not in (EOS, "<pad>", "<unk>")]
                out.append(self._target_sp.decode(pieces).strip())
        return out

    def translate(self, article: DigestArticle) -> Translation | None:
        paragraphs = [ln.text.strip() for ln in article.body_lines if ln.label is LineLabel.BODY]
        sentences = [split_sentences(p) for p in paragraphs]
        flat = [article.meta.display_title] + [s for group in sentences for s in group]
        translated = self.translate_segments(flat)
        title, rest = translated[0], translated[1:]
        if not title:
            return None  # an empty output is no translation: let the next translator answer
        out_paragraphs: list[str] = []
        for group in sentences:
            out_paragraphs.append(" ".join(rest[: len(group)]))
            rest = rest[len(group) :]
        return Translation(
            provenance=MACHINE,
            title=title,
            paragraphs=[p for p in out_paragraphs if p],
            translator=self.model_dir.name,
            notice=NOTICE,
        )
