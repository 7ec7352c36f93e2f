"""Machine translation through the real CTranslate2 loading and batching path.

No model can be downloaded here, so the test builds one: a SentencePiece model trained on
the demo dumps, a randomly initialised tiny Marian model (transformers), converted with
ctranslate2's TransformersConverter — the same route as converting an OPUS-MT model.
Its output is gibberish: the tests check structure, batching and provenance, not quality.
"""

from __future__ import annotations

import json
import math
import shutil

import pytest
from conftest import DUMPS, SEED_STEMS, build_site

pytest.importorskip("ctranslate2", reason="needs the 'mt' extra (make test installs it)")
pytest.importorskip("transformers", reason="needs the 'mt-test' extra (make test installs it)")

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore:Recommended. pip install sacremoses")]


def build_tiny_model(root):
    """A converted CTranslate2 Marian model with source.spm/target.spm beside it."""
    import ctranslate2
    import sentencepiece as spm
    import torch
    from transformers import MarianConfig, MarianMTModel, MarianTokenizer

    hf = root / "hf"
    hf.mkdir()
    lines = [
        ln for p in sorted(DUMPS.glob("*.txt")) for ln in p.read_text("utf-8").splitlines() if ln.strip()
    ]
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines),
        model_prefix=str(hf / "sp"),
        vocab_size=300,
        hard_vocab_limit=False,
        character_coverage=1.0,
        minloglevel=2,
    )
    shutil.move(hf / "sp.model", hf / "source.spm")
    shutil.copy(hf / "source.spm", hf / "target.spm")
    sp = spm.SentencePieceProcessor(model_file=str(hf / "source.spm"))
    vocab = {"</s>": 0, "<unk>": 1}  # Marian's convention: eos 0, unk 1, pad last
    for piece in (sp.id_to_piece(i) for i in range(sp.get_piece_size())):
        if piece not in ("<s>", "</s>", "<unk>"):
            vocab[piece] = len(vocab)
    vocab["<pad>"] = len(vocab)
    (hf / "vocab.json").write_text(json.dumps(vocab), encoding="utf-8")
    tokenizer = MarianTokenizer(
        source_spm=str(hf / "source.spm"), target_spm=str(hf / "target.spm"), vocab=str(hf / "vocab.json")
    )
    torch.manual_seed(0)
    config = MarianConfig(
        vocab_size=len(vocab),
        d_model=16,
        encoder_layers=1,
        decoder_layers=1,
        encoder_attention_heads=2,
        decoder_attention_heads=2,
        encoder_ffn_dim=32,
        decoder_ffn_dim=32,
        max_position_embeddings=512,
        pad_token_id=vocab["<pad>"],
        eos_token_id=0,
        decoder_start_token_id=vocab["<pad>"],
        forced_eos_token_id=0,
    )
    MarianMTModel(config).save_pretrained(hf)
    tokenizer.save_pretrained(hf)
    out = root / "vi-en-tiny"
    ctranslate2.converters.TransformersConverter(str(hf)).convert(str(out), force=True)
    for name in ("source.spm", "target.spm"):
        shutil.copy(hf / name, out / name)
    return out


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    return build_tiny_model(tmp_path_factory.mktemp("mt"))


def test_model_translator_loads_and_translates_in_batches(tiny_model, rules):
    from news_digest.model import LineLabel
    from news_digest.pipeline import process_dump
    from news_digest.translate import MACHINE, ModelTranslator
    from news_digest.translate.model_ct2 import split_sentences

    stem = "004_f1c2a3039ebafd8a"
    article = process_dump((DUMPS / f"{stem}.txt").read_bytes(), f"dumps/{stem}.txt", rules)
    translator = ModelTranslator(tiny_model, batch_size=4)
    result = translator.translate(article)
    assert result.provenance == MACHINE and result.translator == "vi-en-tiny"
    assert result.notice == "machine-translated" and result.title
    bodies = [ln.text for ln in article.body_lines if ln.label is LineLabel.BODY]
    segments = 1 + sum(len(split_sentences(b)) for b in bodies)
    assert translator.batches_run == math.ceil(segments / 4)
    assert len(result.paragraphs) == len(bodies)
    assert all(p.strip() for p in result.paragraphs)
    # a second article reuses the loaded model (no reload) and keeps batching
    translator.translate(article)
    assert translator.batches_run == 2 * math.ceil(segments / 4)


def test_site_uses_the_model_when_there_is_no_sidecar(tiny_model, make_content, tmp_path):
    stems = SEED_STEMS[:2]
    side = (DUMPS.parent / "translations" / f"{stems[0]}.en.md").read_text(encoding="utf-8")
    content = make_content(seeds=stems, extra={f"translations/{stems[0]}.en.md": side})
    out = build_site(content, tmp_path / "out", NEWS_DIGEST_MT_MODEL=str(tiny_model))
    pages = {
        p.parent.name: p.read_text(encoding="utf-8") for p in (out / "en" / "articles").glob("*/index.html")
    }
    provenances = sorted(
        next(v for v in ("human", "machine") if f'data-provenance="{v}"' in h) for h in pages.values()
    )
    assert provenances == ["human", "machine"]  # sidecar first, the model for the other
    machine = next(h for h in pages.values() if 'data-provenance="machine"' in h)
    assert "offline machine-translation model (vi-en-tiny)" in machine
    report = json.loads((out / "report" / "report.json").read_text())
    assert not [e for e in report["entries"] if e["kind"] == "model"]  # no error reported
