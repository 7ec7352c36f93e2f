"""The Translator protocol and the provenance values every English page states."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from ..model import DigestArticle, Translation

HUMAN = "human"  # written by an editor (sidecar)
MACHINE = "machine"  # produced by an offline MT model
NONE = "none"  # not translated: a glossary-built summary with a notice
PROVENANCES = (HUMAN, MACHINE, NONE)


class TranslatorError(Exception):
    """A translator that cannot work at all (e.g. a broken model directory)."""


@runtime_checkable
class Translator(Protocol):
    """Returns the English text of ``article``, or None to let the next translator try."""

    name: str

    def translate(self, article: DigestArticle) -> Translation | None: ...
