"""Benchmark: group 10,000 synthetic articles into stories and print the time.

    .venv/bin/python tests/bench/bench_stories.py [--articles N] [--seed S]

The corpus (tests/story_corpus.py) is built from the seeds' real sentences: events over
nine years, entities from a pool of 400 plus a few very common ones ("united-states"),
each event covered by 1–4 outlets that shuffle, drop, add and rewrite sentences, some
undated, with same-participant events a few days and a month later. Prints wall and CPU
seconds of ``group_stories`` (sklearn import excluded, measured separately) and the
pairwise precision/recall/F1 against the corpus labels. Not a unit test: nothing here
asserts a time.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # tests/ (story_corpus, conftest paths)

from conftest import GOLD  # noqa: E402
from news_digest.stories import StorySettings, group_stories, pairwise_scores  # noqa: E402
from story_corpus import load_seed_sentences, make_corpus  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    import sklearn.feature_extraction.text  # noqa: F401

    import_s = time.perf_counter() - t0
    corpus = make_corpus(load_seed_sentences(GOLD), n_articles=args.articles, seed=args.seed)
    words = sum(len(i.text.split()) for i in corpus.inputs)
    settings = StorySettings.from_settings()
    wall0, cpu0 = time.perf_counter(), time.process_time()
    stories = group_stories(corpus.inputs, settings)
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    score = pairwise_scores(stories, corpus.gold)
    print(
        f"bench-stories: {len(corpus.inputs)} articles ({words / len(corpus.inputs):.0f} syllables avg), "
        f"{len(stories)} stories"
    )
    print(
        f"bench-stories: group_stories wall {wall:.2f} s, cpu {cpu:.2f} s (sklearn import {import_s:.2f} s)"
    )
    processes = os.cpu_count() or 1
    if processes > 1:
        # The same grouping with its per-item steps split over forked processes (what a
        # build does): the stories must be identical, the ratio is the gain.
        wall0 = time.perf_counter()
        split = group_stories(corpus.inputs, settings, processes)
        split_wall = time.perf_counter() - wall0
        if split != stories:
            raise SystemExit("group_stories on several processes differs from one process")
        print(
            f"bench-stories: on {processes} processes wall {split_wall:.2f} s "
            f"(RATIO {split_wall / wall:.2f} of one process), identical stories"
        )
    print(f"bench-stories: {score}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
