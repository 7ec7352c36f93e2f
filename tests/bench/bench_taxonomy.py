"""Benchmark of the taxonomy stage and the date index (prints figures measured in this run).

    .venv/bin/python tests/bench/bench_taxonomy.py [--shared ../shared] [--articles 10000]

- entity linking and topic scoring throughput (characters/second) on the seeds' gold
  body and caption lines;
- the one-pass period index against a per-period scan like Pelican's period archives
  (each year, month and day filters the whole article list), on synthetic dated articles.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path
from types import SimpleNamespace

from news_digest import browse
from news_digest.model import Line, LineLabel
from news_digest.rules import load_rules
from news_digest.taxonomy import assign_topics, link_entities


def best_of(fn, repeat=3) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def gold_lines(shared: Path) -> list[Line]:
    lines = []
    for path in sorted((shared / "gold").glob("*.gold.json")):
        for g in json.loads(path.read_text(encoding="utf-8"))["lines"]:
            if g["label"] in ("body", "caption"):
                lines.append(Line(g["n"], g["text"], LineLabel(g["label"])))
    return lines


def fake_articles(n: int) -> list:
    rnd = random.Random(7)
    out = []
    for i in range(n):
        value = f"{rnd.randint(2000, 2024)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}"
        meta = SimpleNamespace(date=SimpleNamespace(value=value))
        out.append(SimpleNamespace(digest=SimpleNamespace(slug=f"a{i}", meta=meta)))
    return out


def per_period_scan(articles) -> int:
    """What Pelican's period archives do: one filter of the whole list per period."""
    periods = {a.digest.meta.date.value[:n] for a in articles for n in (4, 7, 10)}
    return sum(len([a for a in articles if a.digest.meta.date.value.startswith(p)]) for p in periods)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", default=str(Path(__file__).resolve().parents[3] / "shared"))
    parser.add_argument("--articles", type=int, default=10000)
    args = parser.parse_args()
    rules = load_rules()
    lines = gold_lines(Path(args.shared)) * 20
    chars = sum(len(ln.text) for ln in lines)
    t_ent = best_of(lambda: link_entities(lines, rules.entities))
    t_top = best_of(lambda: assign_topics(lines, rules.topics))
    print(f"link_entities: {chars / t_ent / 1e6:.2f} M chars/s  ({chars} chars in {t_ent * 1000:.1f} ms)")
    print(f"assign_topics: {chars / t_top / 1e6:.2f} M chars/s  ({chars} chars in {t_top * 1000:.1f} ms)")
    articles = fake_articles(args.articles)
    t_index = best_of(lambda: browse.build_period_index(articles))
    t_scan = best_of(lambda: per_period_scan(articles), repeat=1)
    print(
        f"period index, {len(articles)} articles: one pass {t_index * 1000:.1f} ms, "
        f"per-period scan {t_scan * 1000:.0f} ms ({t_scan / t_index:.0f}x)"
    )


if __name__ == "__main__":
    main()
