"""`news-digest` command line for editors: clean, inspect, score."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from pathlib import Path

from .model import DumpRejected, to_jsonable
from .pipeline import process_dump
from .rules import DataFileError, load_rules

EXIT_OK, EXIT_SOME_REJECTED, EXIT_USAGE = 0, 1, 2


def _process_file(path: Path, rules, source: str | None = None):
    sidecar = None
    side = path.with_name(path.name.rsplit(".", 1)[0] + ".meta.yaml")
    if side.is_file():
        from .rules import load_yaml

        sidecar = load_yaml(side)
        sidecar = sidecar if isinstance(sidecar, dict) else None
    return process_dump(path.read_bytes(), source or path.name, rules, sidecar)


def cmd_clean(args) -> int:
    """Write DIR/<stem>.json = {"kept": [...], "title": ...} per dump (score.py's format)."""
    rules = load_rules(args.data_dir)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    status = EXIT_OK
    for name in args.dumps:
        path = Path(name)
        stem = path.name.rsplit(".", 1)[0]
        try:
            article = _process_file(path, rules)
            result = {
                "kept": [ln.n for ln in article.lines if ln.kept],
                "title": article.meta.title,
            }
        except (DumpRejected, OSError) as exc:
            print(f"{path}: rejected: {getattr(exc, 'reason', exc)}", file=sys.stderr)
            result = {"kept": [], "title": None, "rejected": str(getattr(exc, "reason", exc))}
            status = EXIT_SOME_REJECTED
        (out / f"{stem}.json").write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
    return status


def _article_summary(article) -> dict:
    meta = article.meta
    return {
        "source": article.source,
        "slug": article.slug,
        "title": meta.display_title,
        "outlet": meta.outlet.name,
        "date": meta.date.value,
        "date_confidence": meta.date.confidence,
        "entities": [e.id for e in article.entities],
    }


def cmd_inspect_dir(args, rules, root: Path) -> int:
    """Every dump under a directory: one summary per article, and the stories they form."""
    from .settings import DEFAULTS
    from .stories import StorySettings, group_stories, story_inputs_from_articles

    extensions = tuple("." + ext for ext in DEFAULTS["NEWS_DIGEST_DUMP_EXTENSIONS"])
    articles, summaries, status = [], [], EXIT_OK
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.name.endswith(extensions)):
        source = path.relative_to(root).as_posix()
        try:
            article = _process_file(path, rules, source)
        except (DumpRejected, OSError) as exc:
            summaries.append({"source": source, "rejected": getattr(exc, "reason", str(exc))})
            status = EXIT_SOME_REJECTED
            continue
        articles.append(article)
        summaries.append(_article_summary(article))
    stories = group_stories(story_inputs_from_articles(articles), StorySettings.from_settings())
    if args.json:
        doc = {"articles": summaries, "stories": [s.to_dict() for s in stories]}
        print(json.dumps(doc, ensure_ascii=False, indent=1))
        return status
    for summary in summaries:
        if "rejected" in summary:
            print(f"- {summary['source']}: rejected: {summary['rejected']}")
        else:
            print(
                f"+ {summary['source']}  {summary['date'] or 'undated'}  {summary['outlet']}  {summary['title']}"
            )
    print(f"{len(stories)} stories")
    for story in stories:
        print(f"story {story.slug}: {story.title}")
        for m in story.members:
            mark = "*" if m.id == story.central else " "
            print(f"  {mark} {m.id}  {m.date or 'undated'}  {m.outlet}  adds {len(m.adds)} sentences")
    return status


def cmd_inspect(args) -> int:
    rules = load_rules(args.data_dir)
    path = Path(args.dump)
    if path.is_dir():
        return cmd_inspect_dir(args, rules, path)
    try:
        article = _process_file(path, rules)
    except (DumpRejected, OSError) as exc:
        reason = getattr(exc, "reason", str(exc))
        if args.json:
            print(json.dumps({"source": str(path), "rejected": reason}, ensure_ascii=False, indent=1))
        else:
            print(f"{path}: rejected: {reason}")
        return EXIT_SOME_REJECTED
    if args.json:
        print(json.dumps(to_jsonable(article), ensure_ascii=False, indent=1))
        return EXIT_OK
    color = args.color == "always" or (args.color == "auto" and sys.stdout.isatty())
    print(format_inspect(article, str(path), color=color))
    return EXIT_OK


#: ANSI colours per label for `inspect` on a terminal (dropped lines are dimmed).
_COLORS = {
    "title": "1;36",
    "byline": "35",
    "body": "0",
    "caption": "33",
    "credit": "32",
    "boilerplate": "2;31",
    "metadata": "34",
}


def format_inspect(article, path: str, color: bool = False, width: int = 100) -> str:
    """Every line with its number, kept/dropped mark, label, rule and text (one per row)."""

    def paint(code: str, text: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if color else text

    meta = article.meta
    out = [
        paint("1", f"# {path}  ({article.encoding})"),
        f"title: {meta.title!r}  display: {meta.display_title!r} ({meta.title_source})",
        f"outlet: {meta.outlet.name} [{meta.outlet.confidence}]  date: {meta.date.value} [{meta.date.confidence}]",
        f"{'line':>4} {'':1} {'label':<11} {'rule':<28} text",
    ]
    kept = sum(1 for ln in article.lines if ln.kept)
    for ln in article.lines:
        if ln.label.value == "blank":
            continue
        mark = "+" if ln.kept else "-"
        text = ln.text if len(ln.text) <= width else ln.text[: width - 1] + "…"
        row = f"{ln.n:4d} {mark} {ln.label.value:<11} {ln.rule or '':<28} {text}"
        out.append(paint(_COLORS.get(ln.label.value, "0"), row))
    dropped = sum(1 for ln in article.lines if not ln.kept and ln.label.value != "blank")
    out.append(f"{kept} kept, {dropped} dropped, {len(article.lines)} lines")
    return "\n".join(out)


def _load_scorer(gold_dir: Path):
    """Import GOLD_DIR/score.py (the shared scorer) as a module."""
    import importlib.util

    path = gold_dir / "score.py"
    if not path.is_file():
        raise FileNotFoundError(f"{path}: scorer not found")
    spec = importlib.util.spec_from_file_location("news_digest_gold_score", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def cmd_score(args) -> int:
    """Clean the dumps into a temporary directory and score them with GOLD_DIR/score.py."""
    import tempfile

    gold_dir = Path(args.gold_dir)
    try:
        scorer = _load_scorer(gold_dir)
    except FileNotFoundError as exc:
        print(f"news-digest: {exc}", file=sys.stderr)
        return EXIT_USAGE
    golds = scorer.load_gold(str(gold_dir))
    with tempfile.TemporaryDirectory(prefix="news-digest-score-") as tmp:
        ns = argparse.Namespace(dumps=args.dumps, out=tmp, data_dir=args.data_dir)
        with contextlib.redirect_stdout(sys.stderr):
            cmd_clean(ns)
        stems = {Path(d).name.rsplit(".", 1)[0] for d in args.dumps}
        missing = sorted(stems - set(golds))
        if missing:
            print(f"news-digest: no gold for {', '.join(missing)}", file=sys.stderr)
        per = {}
        for stem in sorted(stems & set(golds)):
            pred_path = scorer.find_pred(tmp, stem)
            pred = scorer.load_pred(pred_path) if pred_path else None
            per[stem] = scorer.score_one(golds[stem], pred)
    if not per:
        print("news-digest: none of the dumps has a gold file", file=sys.stderr)
        return EXIT_USAGE
    tot = {k: sum(r[k] for r in per.values()) for k in ("tp", "fp", "fn")}
    p, r, f = scorer.prf(tot["tp"], tot["fp"], tot["fn"])
    ems = [x["title_em"] for x in per.values() if x["title_em"] is not None]
    print(f"{'dump':<28} {'P':>6} {'R':>6} {'F1':>6} {'TP':>4} {'FP':>4} {'FN':>4}  title")
    for stem, x in per.items():
        t = "n/a" if x["title_em"] is None else ("yes" if x["title_em"] else "no")
        print(
            f"{stem:<28} {x['P']:6.3f} {x['R']:6.3f} {x['F1']:6.3f} {x['tp']:4d} {x['fp']:4d} {x['fn']:4d}  {t}"
        )
        if args.verbose:
            for kind, n, lab, text in x["errors"]:
                print(f"    {kind} {n} {lab}: {text[:90]}")
    print(f"precision {p:.3f}  recall {r:.3f}  F1 {f:.3f}  (micro over {len(per)} dumps, lines)")
    print(f"title accuracy {sum(ems)}/{len(ems)}")
    if args.json:
        print(
            json.dumps({"precision": p, "recall": r, "f1": f, "title_em": sum(ems), "title_scored": len(ems)})
        )
    return EXIT_OK


def cmd_generate_corpus(args) -> int:
    """Write N realistic dumps built from the seeds' structure (deterministic per seed)."""
    from .corpus import generate_corpus, load_material

    material = load_material(Path(args.seeds), Path(args.gold))
    paths = generate_corpus(material, args.n, Path(args.out_dir), seed=args.seed)
    print(f"wrote {len(paths)} dumps under {args.out_dir} (seed {args.seed})")
    return EXIT_OK


def cmd_process(args) -> int:
    """Fill the pipeline cache for every dump under DIR, locally or on a Dask cluster."""
    import time

    from .cache import PipelineCache
    from .parallel import find_dumps, prefill

    jobs = find_dumps(args.dir, excludes=args.exclude or (), extensions=args.ext or ("txt",))
    cache = PipelineCache(args.cache_dir)
    start = time.perf_counter()
    if args.engine == "dask":
        from .dask_engine import process_with_dask

        stats = process_with_dask(jobs, cache, args.data_dir, scheduler=args.scheduler)
    else:
        stats = prefill(jobs, cache, args.data_dir, workers=args.workers)
    for err in stats.errors:
        print(f"error: {err}", file=sys.stderr)
    print(
        f"{stats.total} dumps: {stats.cached} already cached, {stats.computed} processed "
        f"({stats.rejected} rejected), {len(stats.errors)} errors in "
        f"{time.perf_counter() - start:.2f}s with engine {args.engine}; cache: {args.cache_dir}"
    )
    return EXIT_OK if not stats.errors else EXIT_SOME_REJECTED


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="news-digest", description=__doc__)
    parser.add_argument("--data-dir", help="directory of YAML rule files (default: the package's)")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("clean", help="clean dumps; write <stem>.json with kept line numbers and title")
    p.add_argument("dumps", nargs="+")
    p.add_argument("--out", required=True, help="output directory")
    p.set_defaults(func=cmd_clean)
    p = sub.add_parser(
        "inspect",
        help="show every line with its label and the rule that decided it; "
        "on a directory: every dump's summary and the stories they form",
    )
    p.add_argument("dump", help="a dump file, or a directory of dumps")
    p.add_argument("--json", action="store_true", help="print the full analysis as JSON")
    p.add_argument(
        "--color", choices=("auto", "always", "never"), default="auto", help="colours (auto: on a TTY)"
    )
    p.set_defaults(func=cmd_inspect)
    p = sub.add_parser("score", help="clean dumps and score them against GOLD_DIR with its score.py")
    p.add_argument("gold_dir", metavar="GOLD_DIR", help="directory with *.gold.json and score.py")
    p.add_argument("dumps", nargs="+", metavar="DUMP")
    p.add_argument("-v", "--verbose", action="store_true", help="list every wrong line")
    p.add_argument("--json", action="store_true", help="also print the totals as one JSON line")
    p.set_defaults(func=cmd_score)
    shared = Path(__file__).resolve().parents[2].parent / "shared"
    p = sub.add_parser("generate-corpus", help="write N realistic dumps from the seeds (benchmarks)")
    p.add_argument("n", type=int, help="number of dumps")
    p.add_argument("out_dir", help="output directory (sub-directories of 1,000 dumps)")
    p.add_argument("--seed", type=int, default=0, help="random seed (same seed, same bytes)")
    p.add_argument("--seeds", default=str(shared / "seeds"), help="seed dumps directory")
    p.add_argument("--gold", default=str(shared / "gold"), help="gold labels directory")
    p.set_defaults(func=cmd_generate_corpus)
    p = sub.add_parser("process", help="run the pipeline on every dump under DIR and fill the pipeline cache")
    p.add_argument("dir", help="content directory (the site's PATH: sources are relative to it)")
    p.add_argument("--engine", choices=("local", "dask"), default="local")
    p.add_argument("--scheduler", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786")
    p.add_argument("--workers", type=int, default=None, help="local processes (default: all cores)")
    p.add_argument(
        "--cache-dir", default="cache/news-digest", help="pipeline cache (default: cache/news-digest)"
    )
    p.add_argument("--exclude", action="append", help="directory under DIR to skip (repeatable)")
    p.add_argument("--ext", action="append", help="dump extension (default: txt)")
    p.set_defaults(func=cmd_process)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except DataFileError as exc:
        print(f"news-digest: {exc}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
