"""Benchmark: our line cleaner vs trafilatura and jusText on the same dumps, in one run.

For each corpus (the five seeds with ../shared/gold, and the made-up dumps of other outlets
in tests/data/other_outlets, whose line markers become gold in score.py's format) every
tool cleans every dump; the HTML tools get the dump wrapped as one <p> per non-blank line.
Each tool's output is scored with the shared score.py (our kept line numbers; the others'
text, aligned back to lines by score.py) and timed (median of repeated runs per dump).

    python tests/bench/bench_clean.py [--gold DIR] [--dumps DIR] [--repeat N] [--json OUT]
"""

from __future__ import annotations

import argparse
import html
import importlib.util
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
OUTLETS = REPO / "tests" / "data" / "other_outlets"
MARK_LABELS = {"T": "title", "Y": "byline", "K": "body", "C": "caption", "R": "credit", "D": "boilerplate"}


def load_scorer(gold_dir: Path):
    spec = importlib.util.spec_from_file_location("gold_score", gold_dir / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def wrap_html(text: str) -> str:
    """The dump as a page: one <p> per non-blank line (all text escaped)."""
    paras = "".join(f"<p>{html.escape(line)}</p>\n" for line in text.splitlines() if line.strip())
    return f"<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>\n{paras}</body></html>"


# -- the three tools: text -> prediction in a format score.py reads ---------------------
def ours() -> Callable[[str], dict]:
    from news_digest.clean import clean_text
    from news_digest.clean.base import clear_caches
    from news_digest.model import LineLabel
    from news_digest.rules import load_rules

    rules = load_rules()

    def run(text: str) -> dict:
        clear_caches()  # timed runs repeat one dump: start cold, like a new dump
        lines, _ = clean_text(text, rules)
        title = next((ln.text.strip() for ln in lines if ln.label is LineLabel.TITLE), None)
        return {"kept": [ln.n for ln in lines if ln.kept], "title": title}

    return run


def trafilatura_tool() -> Callable[[str], dict]:
    import trafilatura

    def run(text: str) -> dict:
        out = trafilatura.extract(wrap_html(text), output_format="txt", include_comments=False) or ""
        return {"text": out}

    return run


def justext_tool() -> Callable[[str], dict]:
    import justext

    stoplist = justext.get_stoplist("Vietnamese")

    def run(text: str) -> dict:
        paras = justext.justext(wrap_html(text).encode("utf-8"), stoplist, encoding="utf-8")
        return {"text": "\n".join(p.text for p in paras if not p.is_boilerplate)}

    return run


TOOLS = {"news-digest": ours, "trafilatura": trafilatura_tool, "justext-vi": justext_tool}


# -- corpora ------------------------------------------------------------------------------
def seed_corpus(gold_dir: Path, dumps_dir: Path) -> tuple[Path, dict[str, str]]:
    texts = {}
    for g in sorted(gold_dir.glob("*.gold.json")):
        stem = g.name[: -len(".gold.json")]
        texts[stem] = (dumps_dir / f"{stem}.txt").read_text(encoding="utf-8")
    return gold_dir, texts


def outlet_corpus(tmp: Path) -> tuple[Path, dict[str, str]]:
    """Turn the marked made-up dumps into gold files in score.py's format."""
    gold_dir = tmp / "outlets-gold"
    gold_dir.mkdir()
    texts = {}
    for path in sorted(OUTLETS.glob("*.txt")):
        lines, entries, title = [], [], None
        for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            mark, _, text = raw.partition(" ") if raw.strip() else ("", "", "")
            label = MARK_LABELS.get(mark, "blank")
            lines.append(text)
            entries.append({"n": n, "label": label, "text": text})
            title = title or (text if mark == "T" else None)
        texts[path.stem] = "\n".join(lines)
        gold = {"file": path.name, "meta": {"title": title}, "lines": entries}
        (gold_dir / f"{path.stem}.gold.json").write_text(
            json.dumps(gold, ensure_ascii=False), encoding="utf-8"
        )
    return gold_dir, texts


def bench(name, gold_dir, texts, scorer, repeat, tmp) -> list[dict]:
    rows = []
    for tool_name, factory in TOOLS.items():
        tool = factory()
        pred_dir = tmp / f"{name}-{tool_name}"
        pred_dir.mkdir()
        per_dump_ms = []
        for stem, text in texts.items():
            pred = tool(text)  # warm-up, and the output that gets scored
            times = []
            for _ in range(repeat):
                t0 = time.perf_counter()
                tool(text)
                times.append(time.perf_counter() - t0)
            per_dump_ms.append(statistics.median(times) * 1000)
            (pred_dir / f"{stem}.json").write_text(json.dumps(pred, ensure_ascii=False), encoding="utf-8")
        res = scorer.score_dir(str(gold_dir), str(pred_dir))
        m = res["micro"]
        rows.append(
            {
                "corpus": name,
                "tool": tool_name,
                "P": m["P"],
                "R": m["R"],
                "F1": m["F1"],
                "title": f"{m['title_em']}/{m['title_scored']}",
                "ms_per_dump": statistics.mean(per_dump_ms),
                "dumps": len(texts),
            }
        )
    base = rows[0]["ms_per_dump"]
    for row in rows:
        row["ours_faster_x"] = row["ms_per_dump"] / base if base else float("nan")
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gold", type=Path, default=SHARED / "gold")
    ap.add_argument("--dumps", type=Path, default=REPO / "content" / "dumps")
    ap.add_argument("--repeat", type=int, default=20, help="timed runs per dump and tool")
    ap.add_argument("--json", type=Path, help="also write the rows here")
    args = ap.parse_args(argv)
    if not (args.gold / "score.py").is_file():
        print(f"bench_clean: no score.py in {args.gold}", file=sys.stderr)
        return 2
    sys.path.insert(0, str(REPO / "plugins"))
    scorer = load_scorer(args.gold)
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-clean-") as tmpname:
        tmp = Path(tmpname)
        rows += bench("seeds (gold)", *seed_corpus(args.gold, args.dumps), scorer, args.repeat, tmp)
        rows += bench("other outlets (made-up)", *outlet_corpus(tmp), scorer, args.repeat, tmp)
    print(
        f"{'corpus':<24} {'tool':<12} {'P':>6} {'R':>6} {'F1':>6} {'title':>6} {'ms/dump':>9} {'ours x faster':>14}"
    )
    for r in rows:
        ratio = "1.0 (ours)" if r["tool"] == "news-digest" else f"{r['ours_faster_x']:.1f}"
        print(
            f"{r['corpus']:<24} {r['tool']:<12} {r['P']:6.3f} {r['R']:6.3f} {r['F1']:6.3f} "
            f"{r['title']:>6} {r['ms_per_dump']:9.3f} {ratio:>14}"
        )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
