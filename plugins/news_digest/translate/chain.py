"""Run translators in order; the first that returns a Translation wins."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from ..model import DigestArticle, Translation
from .base import Translator, TranslatorError

logger = logging.getLogger(__name__)


@dataclass
class TranslationChain:
    """``translators`` in priority order. A translator that raises
    :class:`TranslatorError` is disabled for the rest of the build and its error is kept
    once in ``errors`` (translator name → message) for the build report; the chain falls
    through to the next translator.

    >>> chain = TranslationChain([SidecarTranslator(sidecars), GlossaryTranslator(glossary)])
    >>> chain.translate(article).provenance    # "human" when a sidecar exists, else "none"
    """

    translators: list[Translator]
    errors: dict[str, str] = field(default_factory=dict)

    def translate(self, article: DigestArticle) -> Translation:
        for translator in self.translators:
            if translator.name in self.errors:
                continue
            try:
                result = translator.translate(article)
            except TranslatorError as exc:
                self.errors[translator.name] = str(exc)
                logger.error("news-digest: translator %s disabled: %s", translator.name, exc)
                continue
            if result is not None:
                return result
        raise LookupError(f"no translator produced a result for {article.source}")
