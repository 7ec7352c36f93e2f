"""Warm builds of this checkout against a baseline revision, alternating, in one run.

    .venv/bin/python tests/bench/bench_ab.py --baseline HEAD --n 10000 --pairs 5

This machine's speed drifts by tens of percent within minutes, so a change worth a few
percent of a warm build cannot be read off two bench runs made at different times. This
bench builds the same corpus with both codes side by side and alternates them:

1. the files a build reads (``pelicanconf.py``, ``plugins/``, ``themes/``) of the baseline
   revision are exported (``git archive``, UI catalogs compiled) and those of this
   checkout copied as they are, uncommitted changes included, both into the work
   directory, so both sides read code and templates from the same file system;
2. each side gets its own copy of the corpus, cache and output directory, a cold build
   and one warm build that is not measured;
3. then ``--pairs`` pairs of builds, the order alternating (baseline first in odd pairs),
   each a fresh ``pelican`` process timed as a whole (wall and CPU, workers included),
   with the phases it logged. With ``--change`` each pair first appends the same sentence
   to the same dump on both sides (a one-dump incremental build), else nothing changes.

It prints each pair's ratio (working tree / baseline) and their median, the median of
each phase for both sides, and whether the two output directories are byte-identical
(expected for a pure speed change).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

import bench_build
from bench_build import BIN, REPO, SHARED, build_phases, pelican_cmd, run_measured
from news_digest.corpus import generate_corpus, load_material
from news_digest.parallel import find_dumps

CATALOGS = Path("themes") / "digest" / "translations"


#: What a build reads from a code tree (the corpus is each side's own).
TREE_PARTS = ("pelicanconf.py", "plugins", "themes")


def export_baseline(revision: str, tree: Path) -> str:
    """The files of ``revision`` a build needs, written to ``tree`` (``git archive``),
    with its UI catalogs compiled; the commit it names."""
    commit = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--verify", f"{revision}^{{commit}}"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    tree.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", "--format=tar", commit, *TREE_PARTS],
        check=True,
        capture_output=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    subprocess.run(
        [str(BIN / "pybabel"), "-q", "compile", "-D", "messages", "-d", str(tree / CATALOGS)], check=True
    )
    return commit


def copy_working_tree(tree: Path) -> None:
    """The files of this checkout a build needs, as they are now (uncommitted changes and
    compiled catalogs included), copied to ``tree``: both sides then read their code and
    templates from the same file system, and editing the checkout during the run changes
    nothing."""
    tree.mkdir(parents=True)
    shutil.copy2(REPO / "pelicanconf.py", tree / "pelicanconf.py")
    for part in TREE_PARTS[1:]:
        shutil.copytree(REPO / part, tree / part, ignore=shutil.ignore_patterns("__pycache__"))


def side_env(tree: Path) -> dict:
    """The environment a side's builds run in: its own plugin first on the path (the
    editable install points at this checkout's)."""
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(tree / "plugins"), os.environ.get("PYTHONPATH")])),
    }


def loaded_plugin(tree: Path) -> Path:
    """Where ``news_digest`` is imported from in a side's environment."""
    out = subprocess.run(
        [str(BIN / "python"), "-c", "import news_digest; print(news_digest.__file__)"],
        cwd=tree,
        env=side_env(tree),
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return Path(out).resolve()


def tree_digest(root: Path) -> dict[str, str]:
    """sha256 of every file under ``root``, by relative path."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def compare_outputs(baseline: Path, current: Path) -> str:
    """ "byte-identical", or how many files differ (expected only when the change alters
    pages) and the first few of them."""
    old, new = tree_digest(baseline), tree_digest(current)
    differ = sorted(name for name in old.keys() | new.keys() if old.get(name) != new.get(name))
    if not differ:
        return "byte-identical"
    return f"{len(differ)} files DIFFER (expected only if the change alters pages), e.g. " + ", ".join(
        differ[:5]
    )


class Side:
    """One code tree building its own copy of the corpus."""

    def __init__(self, label: str, tree: Path, work: Path, corpus: Path, workers: int | None):
        self.label, self.tree, self.work = label, tree, work
        self.content = work / "content"
        shutil.copytree(corpus, self.content)
        extra: dict = {"CACHE_PATH": str(work / "cache"), "NEWS_DIGEST_SEARCH_INDEX": False}
        if workers:
            extra["NEWS_DIGEST_WORKERS"] = workers
        self.cmd = pelican_cmd(self.content, tree / "pelicanconf.py", work / "out", extra)
        self.runs: list[dict] = []

    def build(self) -> dict:
        result = run_measured(self.cmd, self.tree, env=side_env(self.tree))
        result["phases"] = build_phases(self.work / "cache" / "news-digest", self.work / "out")
        return result


def append_sentence(content: Path, source: str, number: int) -> None:
    with open(content / source, "a", encoding="utf-8") as fh:
        fh.write(f"\nBộ Ngoại giao cho biết sẽ tiếp tục theo dõi sát tình hình (so sánh {number}).")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--baseline", default=os.environ.get("BENCH_BASELINE", "HEAD"), help="git revision")
    parser.add_argument("--n", type=int, default=int(os.environ.get("BENCH_N", 1000)))
    parser.add_argument("--pairs", type=int, default=int(os.environ.get("BENCH_PAIRS", 5)))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--change", action="store_true", help="append a sentence to one dump before each pair"
    )
    parser.add_argument("--workers", type=int, default=None, help="NEWS_DIGEST_WORKERS")
    parser.add_argument(
        "--workdir", default=str(bench_build.default_workdir().with_name("news-digest-bench-ab"))
    )
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args(argv)
    if args.pairs < 1:
        parser.error("--pairs must be at least 1")

    work = Path(args.workdir) / f"n{args.n}"
    shutil.rmtree(work, ignore_errors=True)
    try:
        corpus = work / "corpus"
        generate_corpus(load_material(SHARED / "seeds", SHARED / "gold"), args.n, corpus / "dumps", args.seed)
        commit = export_baseline(args.baseline, work / "baseline-tree")
        copy_working_tree(work / "current-tree")
        sides = [
            Side("baseline", work / "baseline-tree", work / "baseline", corpus, args.workers),
            Side("working tree", work / "current-tree", work / "current", corpus, args.workers),
        ]
        for side in sides:
            where = loaded_plugin(side.tree)
            if not where.is_relative_to((side.tree / "plugins").resolve()):
                raise SystemExit(f"{side.label}: news_digest is imported from {where}, not from {side.tree}")
        print(f"corpus: {args.n} dumps (seed {args.seed}); baseline {args.baseline} = {commit[:12]}")
        for side in sides:  # cold, then one warm build that is not measured
            cold = side.build()
            side.build()
            print(f"{side.label}: cold build {cold['seconds']:.2f} s")
        victims = [job.source for job in find_dumps(corpus)]
        for pair in range(args.pairs):
            if args.change:
                source = victims[(len(victims) // 2 + pair) % len(victims)]
                for side in sides:
                    append_sentence(side.content, source, pair + 1)
            order = sides if pair % 2 == 0 else sides[::-1]
            for side in order:
                side.runs.append(side.build())
            base, ours = sides[0].runs[-1], sides[1].runs[-1]
            print(
                f"pair {pair + 1} ({order[0].label} first): baseline {base['seconds']:.2f} s, "
                f"working tree {ours['seconds']:.2f} s, ratio {ours['seconds'] / base['seconds']:.3f}"
            )
        report(sides, "one dump changed" if args.change else "nothing changed")
        print("outputs: " + compare_outputs(sides[0].work / "out", sides[1].work / "out"))
    finally:
        # Two sites of N dumps each: gigabytes on tmpfs, also when a build failed.
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


def report(sides: list[Side], kind: str) -> None:
    base, ours = sides[0].runs, sides[1].runs
    ratios = [o["seconds"] / b["seconds"] for b, o in zip(base, ours, strict=True)]
    cpu = [o["cpu"] / b["cpu"] for b, o in zip(base, ours, strict=True)]
    print(
        f"RATIO warm build ({kind}) working tree / baseline: median {statistics.median(ratios):.3f}x wall "
        f"(pairs {min(ratios):.3f} – {max(ratios):.3f}), median {statistics.median(cpu):.3f}x CPU; "
        f"medians {statistics.median(r['seconds'] for r in base):.2f} s / "
        f"{statistics.median(r['seconds'] for r in ours):.2f} s"
    )
    names = [name for name, _ in ours[0]["phases"]] or [name for name, _ in base[0]["phases"]]
    for name in names:
        medians = []
        for runs in (base, ours):
            seconds = [dict(r["phases"]).get(name) for r in runs]
            seconds = [s for s in seconds if s is not None]
            medians.append(statistics.median(seconds) if seconds else None)
        shown = " / ".join("–" if m is None else f"{m:.2f} s" for m in medians)
        print(f"phase {name}: baseline / working tree median {shown}")


if __name__ == "__main__":
    sys.exit(main())
