"""English text of an article from a chain of translators; first hit wins.

Order (DESIGN.md, issue 6): a human sidecar (``translations/<stem>.en.md``), then an
offline machine-translation model (CTranslate2 directory), then a glossary-built English
summary that says plainly that the article is not yet translated. Each result carries
its provenance (``human`` / ``machine`` / ``none``) so every English page can state it.

Pure code: the Pelican glue reads sidecar files and settings and passes them in.
"""

from __future__ import annotations

from .base import HUMAN, MACHINE, NONE, PROVENANCES, Translator, TranslatorError
from .chain import TranslationChain
from .glossary import Glossary, GlossaryTranslator
from .model_ct2 import ModelTranslator
from .sidecar import Sidecar, SidecarError, SidecarTranslator, parse_sidecar

__all__ = [
    "HUMAN",
    "MACHINE",
    "NONE",
    "PROVENANCES",
    "Glossary",
    "GlossaryTranslator",
    "ModelTranslator",
    "Sidecar",
    "SidecarError",
    "SidecarTranslator",
    "TranslationChain",
    "Translator",
    "TranslatorError",
    "parse_sidecar",
]
