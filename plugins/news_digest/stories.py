"""Stories: group the articles that cover one event, across outlets. Pure, no Pelican.

A story is a set of articles about the same *event*, not the same topic: VTV's and
Vietnam+'s reports of the Biden–Kishida summit of 10 April 2024 are one story, while
two US–Japan alliance pieces four weeks apart (Austin in Tokyo on 1 June 2023, the
extended-deterrence dialogue of 26–27 June 2023) are two, although they share entities
and topic. Three signals decide, each a named rule below:

* **event date** — dated articles link only within ``date_window_days``
  (:func:`dates_compatible`); a story never spans more than ``max_span_days``.
* **entities** — the pair must share entity ids (:func:`entities_agree`).
* **body text** — cosine of TF-IDF vectors over Vietnamese syllable n-grams
  (:class:`TextVectors`). Entities and date vouch for a modest cosine
  (``text_threshold``); without them only a strong cosine links (``strong_text_threshold``).

**Undated articles** join a story only with strong text similarity *and* agreeing
entities (:func:`is_link`): a date-less piece that merely shares a topic stays alone.

**Scale**: candidates come from blocking (:func:`candidate_pairs`): articles that share
an entity or one of their heaviest TF-IDF terms *and* fall in one date window. Cosines are
computed only for those pairs, in sparse vectorized chunks; nothing is all-pairs.
**Chaining** is guarded by average linkage over the link graph (:func:`cluster_links`):
two groups merge only if enough of the pairs across them are links themselves, so
A~B~C~D does not glue A to D.

The stage works on its own input class :class:`StoryInput` (built from pipeline
articles by :func:`story_inputs_from_articles`), so it does not depend on how dates or
entities are resolved upstream.

TF-IDF comes from scikit-learn (HashingVectorizer + TfidfTransformer, see
:class:`TextVectors`), a well-kept implementation of n-gram counting, smoothed idf,
sublinear tf and l2 norm on scipy sparse matrices; it is imported lazily, only when
stories are computed.
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import settings as nd_settings
from .forks import map_in_parts
from .slugs import assign_unique_slugs, slugify

# --------------------------------------------------------------------------- data classes


@dataclass(frozen=True)
class StoryInput:
    """What the story stage needs to know about one article.

    ``id`` is unique (the dump's source path); ``date`` is the resolved event or
    publication date, None when unknown; ``text`` is the article body (one paragraph a line).
    """

    id: str
    title: str
    outlet: str
    date: _dt.date | None
    entity_ids: frozenset[str]
    text: str


@dataclass
class StoryMember:
    id: str
    title: str
    outlet: str
    date: str | None  # ISO date
    centrality: float  # mean body cosine to the other members
    adds: list[str] = field(default_factory=list)  # sentences no other member says


@dataclass
class Story:
    """A group of at least two articles about one event."""

    slug: str
    title: str  # the central member's title
    central: str  # id of the most central member
    members: list[StoryMember]

    @property
    def member_ids(self) -> list[str]:
        return [m.id for m in self.members]

    @property
    def outlets(self) -> list[str]:
        seen: dict[str, None] = {}
        for m in self.members:
            seen.setdefault(m.outlet, None)
        return list(seen)

    @property
    def dates(self) -> list[str]:
        return sorted({m.date for m in self.members if m.date})

    def to_dict(self) -> dict[str, Any]:
        return {
            "slug": self.slug,
            "title": self.title,
            "central": self.central,
            "outlets": self.outlets,
            "members": [
                {
                    "id": m.id,
                    "title": m.title,
                    "outlet": m.outlet,
                    "date": m.date,
                    "centrality": round(m.centrality, 4),
                    "adds": m.adds,
                }
                for m in self.members
            ],
        }


@dataclass(frozen=True)
class StorySettings:
    """The NEWS_DIGEST_STORY_* settings (documented in settings.py DEFAULTS)."""

    date_window_days: int
    max_span_days: int
    text_threshold: float
    strong_text_threshold: float
    min_shared_entities: int
    min_link_fraction: float
    ngram_range: tuple[int, int]
    fold_diacritics: bool
    block_terms: int
    max_block: int
    sentence_threshold: float
    min_articles: int

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any] | None = None) -> StorySettings:
        s = dict(settings or {})

        def get(name: str) -> Any:
            return nd_settings.get(s, "NEWS_DIGEST_STORY_" + name)

        try:
            lo, hi = (int(v) for v in get("NGRAM_RANGE"))
        except (TypeError, ValueError):
            raise ValueError("NEWS_DIGEST_STORY_NGRAM_RANGE must be two integers, e.g. [1, 2]") from None
        if not 1 <= lo <= hi:
            raise ValueError(
                f"NEWS_DIGEST_STORY_NGRAM_RANGE must be [min, max] with 1 <= min <= max, got {[lo, hi]}"
            )
        for name in ("TEXT_THRESHOLD", "STRONG_TEXT_THRESHOLD", "MIN_LINK_FRACTION", "SENTENCE_THRESHOLD"):
            if not 0.0 <= float(get(name)) <= 1.0:
                raise ValueError(f"NEWS_DIGEST_STORY_{name} must be between 0 and 1, got {get(name)!r}")
        for name in ("DATE_WINDOW_DAYS", "MAX_SPAN_DAYS", "BLOCK_TERMS", "MAX_BLOCK"):
            if int(get(name)) < 0:
                raise ValueError(f"NEWS_DIGEST_STORY_{name} must not be negative, got {get(name)!r}")
        return cls(
            date_window_days=int(get("DATE_WINDOW_DAYS")),
            max_span_days=int(get("MAX_SPAN_DAYS")),
            text_threshold=float(get("TEXT_THRESHOLD")),
            strong_text_threshold=float(get("STRONG_TEXT_THRESHOLD")),
            min_shared_entities=int(get("MIN_SHARED_ENTITIES")),
            min_link_fraction=float(get("MIN_LINK_FRACTION")),
            ngram_range=(lo, hi),
            fold_diacritics=bool(get("FOLD_DIACRITICS")),
            block_terms=int(get("BLOCK_TERMS")),
            max_block=int(get("MAX_BLOCK")),
            sentence_threshold=float(get("SENTENCE_THRESHOLD")),
            min_articles=max(2, int(get("MIN_ARTICLES"))),
        )


# --------------------------------------------------------------------------- text features

_TONE_MARKS = {"\u0300", "\u0301", "\u0309", "\u0303", "\u0323"}  # huyền sắc hỏi ngã nặng


def _tone_placement_table() -> dict[str, str]:
    """Old-style/new-style tone placement pairs, e.g. "hòa"→"hoà", "thủy"→"thuỷ".

    Vietnamese writes the tone of the open syllables oa, oe, uy on either vowel; both
    spellings are common in the same newspaper. NFC keeps them different, so we map the
    tone to the second vowel.
    """
    table = {}
    for first, seconds in (("o", "ae"), ("u", "y")):
        for mark in _TONE_MARKS:
            marked = unicodedata.normalize("NFC", first + mark)
            for second in seconds:
                table[marked + second] = first + unicodedata.normalize("NFC", second + mark)
    return table


_TONE_TABLE = _tone_placement_table()
# The pair must end the syllable: "hoàng" has its tone on a in both styles.
_TONE_PAIR = re.compile(r"([òóỏõọ][ae]|[ùúủũụ]y)(?!\w)")
_COMBINING = re.compile(r"[\u0300-\u036f]")


def normalize_text(text: str, fold_diacritics: bool = False) -> str:
    """NFC, lowercase, one tone placement; optionally strip every diacritic.

    >>> normalize_text("Hòa bình THỦY lợi")
    'hoà bình thuỷ lợi'
    >>> normalize_text("Hòa bình, Đà Nẵng", fold_diacritics=True)
    'hoa binh, da nang'
    """
    text = unicodedata.normalize("NFC", text).lower()
    text = _TONE_PAIR.sub(lambda m: _TONE_TABLE[m.group(1)], text)
    if fold_diacritics:
        text = _COMBINING.sub("", unicodedata.normalize("NFD", text)).replace("đ", "d")
        text = unicodedata.normalize("NFC", text)
    return text


#: Hashed feature space: ~2M buckets keep collisions among a corpus's few hundred
#: thousand syllable n-grams rare, and hashing needs no vocabulary (fast, stateless).
HASH_FEATURES = 2**21


class TextVectors:
    """TF-IDF over syllable n-grams: Vietnamese words are 1–4 space-separated syllables,
    so syllable uni+bigrams capture most words and names without a segmenter.

    scikit-learn's HashingVectorizer counts the n-grams (no vocabulary to build and sort,
    about 3× faster than TfidfVectorizer on 10,000 articles), TfidfTransformer applies
    smoothed idf fitted on the corpus being grouped (terms every article uses, "Mỹ" in a
    US-news corpus, weigh little), sublinear tf (one repeated name does not dominate)
    and l2 norm, so a dot product is a cosine.
    """

    def __init__(self, settings: StorySettings):
        import numpy as np
        from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer

        fold = settings.fold_diacritics
        self.hasher = HashingVectorizer(
            preprocessor=lambda t: normalize_text(t, fold),
            token_pattern=r"(?u)\b\w+\b",  # keep one-letter syllables ("ở", "y")
            ngram_range=settings.ngram_range,
            alternate_sign=False,
            norm=None,
            n_features=HASH_FEATURES,
            dtype=np.float32,
        )
        self.tfidf = TfidfTransformer(sublinear_tf=True)

    def counts(self, texts: Sequence[str]):
        """Raw n-gram counts of each text (rows of a sparse matrix)."""
        return self.hasher.transform(texts)

    def fit_documents(self, unit_counts, owner: Sequence[int], n_docs: int):
        """Article vectors from the counts of their sentences (each sentence is hashed
        once, for the article vector and for the "adds"); fits idf on the articles."""
        import numpy as np
        from scipy.sparse import csr_matrix

        owner = np.asarray(owner, dtype=np.int64)
        ones = np.ones(len(owner), dtype=np.float32)
        gather = csr_matrix((ones, (owner, np.arange(len(owner)))), shape=(n_docs, len(owner)))
        X = self.tfidf.fit_transform(gather @ unit_counts).astype(np.float32)
        X.sort_indices()  # canonical CSR: scipy's fast elementwise product needs it
        return X

    def weigh(self, counts):
        """TF-IDF (fitted idf, sublinear tf, l2 norm) of count rows."""
        X = self.tfidf.transform(counts).astype("float32")
        X.sort_indices()
        return X


def self_cosines(rows):
    """Dense cosine matrix of a few l2-normalised sparse rows.

    The rows are first re-indexed onto the columns they use: transposing a matrix with
    2M hashed columns costs more than the product itself.
    """
    import numpy as np
    from scipy.sparse import csr_matrix

    used, local = np.unique(rows.indices, return_inverse=True)
    small = csr_matrix((rows.data, local.ravel(), rows.indptr), shape=(rows.shape[0], len(used)))
    if rows.shape[0] <= 32:  # a story's few articles: a dense product is fastest
        dense = small.toarray()
        return dense @ dense.T
    return (small @ small.T).toarray()


# --------------------------------------------------------------------------- link rules


def dates_compatible(a: _dt.date | None, b: _dt.date | None, window_days: int) -> bool | None:
    """True/False for two dates within/outside the window; None when either is unknown."""
    if a is None or b is None:
        return None
    return abs((a - b).days) <= window_days


def entities_agree(a: frozenset[str], b: frozenset[str], min_shared: int) -> bool | None:
    """Whether two entity sets share enough ids; None when either set is empty (unknown).

    The requirement is capped by the smaller set, so a short brief naming only "Japan"
    and "Kishida" can still agree with a long report on the same visit.
    """
    if not a or not b:
        return None
    shared = len(a & b)
    return shared >= max(1, min(min_shared, len(a), len(b)))


def is_link(a: StoryInput, b: StoryInput, cosine: float, settings: StorySettings) -> bool:
    """Whether two articles are about the same event.

    - both dated, within the window: cosine ≥ text_threshold when entities agree,
      else cosine ≥ strong_text_threshold (a republished text needs no entities);
    - dated outside the window: never (same participants a month apart are two events);
    - undated on either side: strong cosine AND agreeing entities, else left alone.
    """
    dates = dates_compatible(a.date, b.date, settings.date_window_days)
    if dates is False:
        return False
    ents = entities_agree(a.entity_ids, b.entity_ids, settings.min_shared_entities)
    if dates is None:
        return bool(ents) and cosine >= settings.strong_text_threshold
    if ents:
        return cosine >= settings.text_threshold
    return cosine >= settings.strong_text_threshold


@dataclass
class LinkFacts:
    """What :func:`is_link` reads of every input, as arrays: dates as day numbers (NaN
    when undated) and entity ids as rows of a 0/1 matrix (with each row's size)."""

    ordinals: Any
    entities: Any
    entity_counts: Any

    @classmethod
    def of(cls, inputs: Sequence[StoryInput]) -> LinkFacts:
        import numpy as np
        from scipy.sparse import csr_matrix

        columns: dict[str, int] = {}
        indptr, indices = [0], []
        for inp in inputs:
            indices.extend(columns.setdefault(e, len(columns)) for e in inp.entity_ids)
            indptr.append(len(indices))
        entities = csr_matrix(
            (np.ones(len(indices), dtype=np.int32), indices, indptr),
            shape=(len(inputs), max(1, len(columns))),
        )
        ordinals = np.array(
            [inp.date.toordinal() if inp.date else np.nan for inp in inputs], dtype=np.float64
        )
        return cls(ordinals, entities, np.diff(entities.indptr))


def find_links(facts: LinkFacts, pairs, cosines, settings: StorySettings) -> list[tuple[int, int, float]]:
    """(i, j, cosine) of the ``pairs`` (a (k, 2) array) that :func:`is_link` links, in
    order: the same rules, decided for all pairs at once in numpy. A test checks it
    against :func:`is_link`. On the 684,766 candidate pairs of 10,000 articles: 1.0–1.3 s
    of CPU against 2.2–2.8 s calling ``is_link`` pair by pair."""
    import numpy as np

    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    first, second = pairs[:, 0], pairs[:, 1]
    cos = np.asarray(cosines, dtype=np.float64)  # compared as the Python floats is_link gets
    text, strong = settings.text_threshold, settings.strong_text_threshold
    days = np.abs(facts.ordinals[first] - facts.ordinals[second])  # NaN when either is undated
    dated = ~np.isnan(days)
    near = np.zeros(len(days), dtype=bool)
    near[dated] = days[dated] <= settings.date_window_days
    # Entities decide only where the dates allow a link and the cosine lies between the
    # two thresholds, or for an undated pair: compare entity sets for those pairs only.
    ask = np.flatnonzero((cos >= min(text, strong)) & (near | ~dated))
    a, b = first[ask], second[ask]
    shared = np.asarray(facts.entities[a].multiply(facts.entities[b]).sum(axis=1)).ravel()
    size_a, size_b = facts.entity_counts[a], facts.entity_counts[b]
    needed = np.maximum(1, np.minimum(settings.min_shared_entities, np.minimum(size_a, size_b)))
    agree = (size_a > 0) & (size_b > 0) & (shared >= needed)
    c = cos[ask]
    link = np.zeros(len(cos), dtype=bool)
    link[ask] = np.where(near[ask], np.where(agree, c >= text, c >= strong), agree & (c >= strong))
    values = cos.tolist()
    return [(int(first[k]), int(second[k]), values[k]) for k in np.flatnonzero(link).tolist()]


# --------------------------------------------------------------------------- blocking


def blocking_keys(inputs: Sequence[StoryInput], X, block_terms: int) -> list[list[str]]:
    """Per article: its entity ids and its ``block_terms`` heaviest TF-IDF terms that some
    other article also has (a term no one else uses cannot propose a candidate)."""
    import numpy as np

    df = np.bincount(X.indices, minlength=X.shape[1])
    keys: list[list[str]] = []
    for i, inp in enumerate(inputs):
        row_idx = X.indices[X.indptr[i] : X.indptr[i + 1]]
        row_val = X.data[X.indptr[i] : X.indptr[i + 1]]
        shared = df[row_idx] > 1
        row_idx, row_val = row_idx[shared], row_val[shared]
        if len(row_idx) > block_terms:
            top = np.argpartition(-row_val, block_terms - 1)[:block_terms]
            row_idx = row_idx[top]
        keys.append([f"e:{e}" for e in sorted(inp.entity_ids)] + [f"t:{t}" for t in row_idx.tolist()])
    return keys


def candidate_pairs(
    inputs: Sequence[StoryInput], keys: list[list[str]], settings: StorySettings
) -> set[tuple[int, int]]:
    """Pairs (i < j) that share a blocking key and whose dates allow a link
    (:func:`candidate_pair_codes` decoded)."""
    n = len(inputs)
    return {divmod(code, n) for code in candidate_pair_codes(inputs, keys, settings).tolist()}


def sorted_pairs(codes, n: int):
    """Sorted pair codes (``i * n + j``, :func:`candidate_pair_codes`) as a (k, 2) array
    of (i, j): sorted by code is sorted by (i, j)."""
    import numpy as np

    flat = np.asarray(codes, dtype=np.int64)
    return np.stack([flat // max(n, 1), flat % max(n, 1)], axis=1)


def _runs(lengths):
    """For runs of the given lengths laid end to end: each item's run and place in it."""
    import numpy as np

    run = np.repeat(np.arange(len(lengths)), lengths)
    return run, np.arange(len(run)) - np.repeat(np.cumsum(lengths) - lengths, lengths)


def candidate_pair_codes(inputs: Sequence[StoryInput], keys: list[list[str]], settings: StorySettings):
    """Pairs (i < j) that share a blocking key and whose dates allow a link, each as the
    code ``i * len(inputs) + j``, sorted, each once (an int64 array).

    Dated articles: per key, a sliding date window over the key's postings sorted by
    (date, article), skipping windows holding more than ``max_block`` articles (a key
    that common says nothing about the event). Undated articles: paired with every
    article of their keys whose whole posting list is at most ``max_block`` long.

    Every key's postings are one sorted array and the windows are found by binary
    search, so no step is per pair in Python: on the 10,000-dump bench corpus (3.4 M
    codes before duplicates go, 684,761 after) 0.3-0.5 s of CPU against 1.6-2.0 s for a
    loop per posting adding codes to a set. A test checks it against that loop."""
    import numpy as np

    n, window, cap = len(inputs), settings.date_window_days, settings.max_block
    key_ids: dict[str, int] = {}
    key_of = np.fromiter((key_ids.setdefault(k, len(key_ids)) for ks in keys for k in ks), dtype=np.int64)
    article_of = np.repeat(np.arange(len(keys), dtype=np.int64), [len(ks) for ks in keys])
    day = np.array([inp.date.toordinal() if inp.date else -1 for inp in inputs], dtype=np.int64)
    day_of = day[article_of]
    parts = [np.zeros(0, dtype=np.int64)]

    # Dated: postings sorted by (key, day, article); a window runs from an article to the
    # last one of its key dated at most `window` days later, found by binary search on
    # key * stride + day (stride above every day + window, so keys never overlap).
    dated = day_of >= 0
    k, d, a = key_of[dated], day_of[dated], article_of[dated]
    order = np.lexsort((a, d, k))
    k, d, a = k[order], d[order], a[order]
    stride = int(d.max(initial=0)) + window + 1
    place = k * stride + d
    held = np.searchsorted(place, place + window, side="right") - np.arange(len(place))
    run, step = _runs(np.where(held <= cap, held - 1, 0))  # run: the window's first posting
    first, second = a[run], a[run + 1 + step]
    parts.append(np.minimum(first, second) * n + np.maximum(first, second))

    # Undated: every other article of each key no longer than `cap`.
    sizes = np.bincount(key_of, minlength=len(key_ids))
    by_key = np.argsort(key_of, kind="stable")
    key_start = np.cumsum(sizes) - sizes
    ask = np.flatnonzero((day_of < 0) & (sizes[key_of] <= cap) & (sizes[key_of] > 1))
    run, step = _runs(sizes[key_of[ask]])
    first = article_of[ask][run]
    second = article_of[by_key[key_start[key_of[ask]][run] + step]]
    other = first != second
    first, second = first[other], second[other]
    parts.append(np.minimum(first, second) * n + np.maximum(first, second))
    codes = np.sort(np.concatenate(parts))  # np.unique hashes first: 1.5 s for 3.4 M codes
    return codes[np.r_[True, codes[1:] != codes[:-1]]] if len(codes) else codes


def pair_cosines(X, pairs):
    """Cosine of each pair's l2-normalised rows (a (k, 2) array of row numbers).

    The pairs come sorted by their first row (:func:`sorted_pairs`), ~68 a row at 10,000
    articles: each first row is spread once into a dense vector and the second rows of its
    run are multiplied with it (a sparse matrix-vector product, in float64). On the
    684,761 candidate pairs of the 10,000-dump bench corpus: 3.0 s of CPU, against 7.2 s
    for multiplying two gathered row slices elementwise in chunks (and this sums in
    float64: equal to a float64 reference to the float32 the cosines are kept in, where
    the float32 sums were off by up to 1.2e-7). Each value reads its own two rows only,
    so how the pairs are split over processes never changes it."""
    import numpy as np

    out = np.zeros(len(pairs), dtype=np.float32)
    if len(pairs) == 0:
        return out
    arr = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    first = arr[:, 0]
    starts = np.flatnonzero(np.r_[True, first[1:] != first[:-1]]).tolist()
    ends = starts[1:] + [len(arr)]
    dense = np.zeros(X.shape[1], dtype=np.float64)
    indptr, indices, data = X.indptr, X.indices, X.data
    for start, end in zip(starts, ends, strict=True):
        row = int(first[start])
        columns = indices[indptr[row] : indptr[row + 1]]
        dense[columns] = data[indptr[row] : indptr[row + 1]]
        out[start:end] = X[arr[start:end, 1]] @ dense
        dense[columns] = 0.0
    return out


# --------------------------------------------------------------------------- clustering


def cluster_links(
    n: int,
    links: Sequence[tuple[int, int, float]],
    dates: Sequence[_dt.date | None],
    settings: StorySettings,
) -> list[list[int]]:
    """Agglomerate linked articles, strongest links first, guarding against chaining.

    Two groups merge only if (a) at least ``min_link_fraction`` of the article pairs
    across them are links and (b) the merged group's dated articles span at most
    ``max_span_days``. A chain of summit → follow-up → next week's follow-up therefore
    stops where the ends no longer link to the middle.
    """
    import numpy as np

    group = list(range(n))
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    span: dict[int, tuple[int, int] | None] = {
        i: (d.toordinal(), d.toordinal()) if d else None for i, d in enumerate(dates)
    }
    # How many links join each pair of groups, kept up to date as groups merge (the
    # merged group's counts are the sums of its parts'), so the test for a merge reads
    # one number. Counting the links across two groups member by member at each merge
    # made clustering the bench corpus' 455,127 links take 4.1-4.7 s, against 3.1-3.3 s
    # with these counts (alternating, before the sort below; stories of hundreds of articles).
    between: dict[int, dict[int, int]] = {}
    for i, j, _ in links:
        between.setdefault(i, {})[j] = 1
        between.setdefault(j, {})[i] = 1
    # Strongest first, ties by (i, j): sorted in numpy (455,127 links, a key function
    # per link took 1.3 s).
    table = np.array(links, dtype=np.float64).reshape(-1, 3)
    firsts, seconds = table[:, 0].astype(np.int64), table[:, 1].astype(np.int64)
    order = np.lexsort((seconds, firsts, -table[:, 2]))
    for i, j in zip(firsts[order].tolist(), seconds[order].tolist(), strict=True):
        gi, gj = group[i], group[j]
        if gi == gj:
            continue
        a, b = members[gi], members[gj]
        if len(a) > len(b):
            gi, gj, a, b = gj, gi, b, a
        sa, sb = span[gi], span[gj]
        merged_span = sa or sb
        if sa and sb:
            merged_span = (min(sa[0], sb[0]), max(sa[1], sb[1]))
            if merged_span[1] - merged_span[0] > settings.max_span_days:
                continue
        if between[gi][gj] < settings.min_link_fraction * len(a) * len(b):
            continue
        for x in a:
            group[x] = gj
        b.extend(a)
        del members[gi]
        span[gj] = merged_span
        moved, into = between.pop(gi), between[gj]
        del moved[gj], into[gi]
        for g, count in moved.items():
            into[g] = into.get(g, 0) + count
            row = between[g]
            del row[gi]
            row[gj] = row.get(gj, 0) + count
    return [sorted(m) for m in members.values()]


# --------------------------------------------------------------------------- sentences

_SENTENCE_END = re.compile(r"([.!?…]+[\"”’»)]*)\s+")
_ABBREVIATION = re.compile(r"(?:^|\s)(?:[A-ZĐ]{1,3}|Mr|Mrs|Ms|Dr|St|Th\.S|TS|GS|PGS)\.$")


def split_sentences(text: str) -> list[str]:
    """Sentences of a body text: split after . ! ? … (and closing quotes) when the next
    word starts with a capital, a digit or an opening quote, not after "TP." or "Mr.".

    >>> split_sentences('Ông Kishida tuyên bố: "Không thể chấp nhận." Tại TP. Hồ Chí Minh, trời mưa.')
    ['Ông Kishida tuyên bố: "Không thể chấp nhận."', 'Tại TP. Hồ Chí Minh, trời mưa.']
    """
    out: list[str] = []
    for para in text.splitlines():
        para = para.strip()
        start = 0
        for m in _SENTENCE_END.finditer(para):
            nxt = para[m.end() : m.end() + 1]
            head = para[start : m.start(1) + 1]
            if not (nxt.isupper() or nxt.isdigit() or nxt in "\"“‘'(«"):
                continue
            if _ABBREVIATION.search(head):
                continue
            sentence = para[start : m.end(1)].strip()
            if sentence:
                out.append(sentence)
            start = m.end()
        rest = para[start:].strip()
        if rest:
            out.append(rest)
    return out


#: Sentences shorter than this many syllables ("Ảnh: TTXVN.") are never listed as adds.
MIN_ADD_SYLLABLES = 5
#: Blocks of sentences weighed (TF-IDF) at a time by :func:`story_adds`.
WEIGH_BLOCKS = 32


def story_adds(
    vectors: TextVectors,
    unit_counts,
    units: Sequence[str],
    members_units: Sequence[Sequence[Sequence[int]]],
    threshold: float,
    chunk: int = 200,
    processes: int = 1,
) -> list[list[list[str]]]:
    """For each story: per member, its sentences that no sentence of another member
    resembles (cosine < ``threshold``), so a paraphrase, or a copied sentence with an
    outlet prefix, does not count as new.

    ``members_units[s][k]`` are the rows (in ``units``/``unit_counts``) of the body
    sentences of member k of story s. Similarities are computed for many stories per
    sparse product (a block of the sentence-by-sentence matrix), never corpus-wide.
    The blocks are fixed first, then shared out whole over ``processes``, so a story's
    similarities are the same products as in one process.

    A sentence repeated word for word (agency copy that several outlets carry) is one
    row of its story's product, with the members that say it: one text's similarities
    are the same whoever says it, and a sentence that another member says too is not
    new. On the 10,000-dump bench corpus (generated from five seeds, so it repeats far
    more than real outlets do) the 1,182 stories' 105,436 sentences are 41,365 texts,
    and the step took 0.9-1.6 s of CPU against 5.9 s with a row per sentence.
    """
    import numpy as np

    # Per story: its distinct texts (rows into `units`), and per sentence of each member
    # (in order) the number of its text; per text, the member saying it when only one does.
    rows: list[int] = []
    spans: list[tuple[int, int, list[tuple[int, int]], list[int]]] = []
    for story in members_units:
        first = len(rows)
        text_of: dict[str, int] = {}
        said: list[tuple[int, int]] = []  # (member, text number)
        sole: list[int] = []  # the one member saying each text, -1 when several do
        for k, unit_rows in enumerate(story):
            for r in unit_rows:
                text = units[r]
                if len(text.split()) < MIN_ADD_SYLLABLES:
                    continue
                t = text_of.get(text)
                if t is None:
                    t = text_of[text] = len(sole)
                    rows.append(r)
                    sole.append(k)
                elif sole[t] != k:
                    sole[t] = -1
                said.append((k, t))
        spans.append((first, len(rows), said, sole))
    result: list[list[list[str]]] = [[[] for _ in story] for story in members_units]
    if not rows:
        return result
    blocks: list[tuple[int, int]] = []  # ranges of stories whose rows are multiplied together
    k = 0
    while k < len(spans):
        lo = spans[k][0]
        end = k + 1
        while end < len(spans) and spans[end][1] - lo <= chunk:
            end += 1
        blocks.append((k, end))
        k = end

    def adds_of_blocks(part: Sequence[tuple[int, int]]) -> list[tuple[int, int, str]]:
        found: list[tuple[int, int, str]] = []  # (story, member, sentence)
        S, S_lo = None, 0
        for n, (k, end) in enumerate(part):
            lo, hi = spans[k][0], spans[end - 1][1]
            if n % WEIGH_BLOCKS == 0:
                # TF-IDF rows for the next few blocks only (each row is weighed alone):
                # all of a 10,000-article corpus' sentences at once peaked at ~200 MB.
                batch_end = spans[part[min(n + WEIGH_BLOCKS, len(part)) - 1][1] - 1][1]
                S, S_lo = vectors.weigh(unit_counts[np.asarray(rows[lo:batch_end])]), lo
            sims = self_cosines(S[lo - S_lo : hi - S_lo])
            for s in range(k, end):
                first, last, said, sole = spans[s]
                if not said:
                    continue
                member = np.array([m for m, _ in said])
                text = np.array([t for _, t in said])
                sole_of = np.asarray(sole)
                # Another member says text u' when its one sayer is not me, or when
                # several do (-1, never a member's number).
                other = sole_of[None, :] != member[:, None]
                sub = sims[first - lo : last - lo, first - lo : last - lo][text]
                best = np.where(other, sub, 0.0).max(axis=1)
                for i in np.nonzero(best < threshold)[0].tolist():
                    found.append((s, said[i][0], units[rows[first + said[i][1]]]))
        return found

    for part in map_in_parts(adds_of_blocks, blocks, processes, MIN_BLOCKS_PER_PROCESS, "adds"):
        for s, member, sentence in part:
            result[s][member].append(sentence)
    return result


# --------------------------------------------------------------------------- the stage

#: Smallest share of each costly step worth a forked process (see :func:`group_stories`);
#: below these (every test corpus but one, a small site) the step runs in one process.
MIN_INPUTS_PER_PROCESS = 2_000
MIN_UNITS_PER_PROCESS = 20_000
MIN_PAIRS_PER_PROCESS = 50_000
MIN_BLOCKS_PER_PROCESS = 100


def group_stories(
    inputs: Sequence[StoryInput],
    settings: StorySettings | Mapping[str, Any] | None = None,
    processes: int = 1,
) -> list[Story]:
    """Group articles into stories (only groups of at least ``min_articles``).

    Deterministic: the same inputs give the same stories, slugs and order (stories by
    earliest date, undated last, then slug; members by date then id).

    With ``processes`` > 1 the steps that are independent per item (splitting
    sentences, counting n-grams, the pairs' cosines and link rules, the sentence "adds")
    are split over forked processes (:func:`~news_digest.forks.map_in_parts`); each item
    is computed exactly as in one process, so the stories are identical.
    """
    if not isinstance(settings, StorySettings):
        settings = StorySettings.from_settings(settings)
    inputs = list(inputs)
    if len({inp.id for inp in inputs}) != len(inputs):
        raise ValueError("StoryInput ids must be unique")
    if len(inputs) < settings.min_articles:
        return []
    import numpy as np
    from scipy.sparse import vstack

    vectors = TextVectors(settings)
    units: list[str] = []  # every article's title, then its body sentences
    owner: list[int] = []
    body_units: list[list[int]] = []
    sentences_of = [
        s
        for part in map_in_parts(
            lambda part: [split_sentences(inp.text) for inp in part],
            inputs,
            processes,
            MIN_INPUTS_PER_PROCESS,
            "sentences",
        )
        for s in part
    ]
    for n, (inp, sentences) in enumerate(zip(inputs, sentences_of, strict=True)):
        units.append(inp.title)
        owner.append(n)
        body_units.append(list(range(len(units), len(units) + len(sentences))))
        units.extend(sentences)
        owner.extend([n] * len(sentences))
    # Each distinct text is counted once: agency copy and stock lines ("Ảnh: TTXVN")
    # recur across outlets. The bench corpus, generated from five seeds, repeats far more
    # than real archives (118,164 units, 13,095 texts); with no repeats the dict costs
    # ~20 ms on 10,000 articles.
    text_rows: dict[str, int] = {}
    row_of = np.fromiter(
        (text_rows.setdefault(u, len(text_rows)) for u in units), dtype=np.int64, count=len(units)
    )
    counted = map_in_parts(vectors.counts, list(text_rows), processes, MIN_UNITS_PER_PROCESS, "counts")
    text_counts = counted[0] if len(counted) == 1 else vstack(counted, format="csr")
    unit_counts = text_counts if len(text_rows) == len(units) else text_counts[row_of]
    X = vectors.fit_documents(unit_counts, owner, len(inputs))
    keys = blocking_keys(inputs, X, settings.block_terms)
    pairs = sorted_pairs(candidate_pair_codes(inputs, keys, settings), len(inputs))
    facts = LinkFacts.of(inputs)

    def links_of(part) -> list[tuple[int, int, float]]:
        return find_links(facts, part, pair_cosines(X, part), settings)

    links = [
        link
        for part in map_in_parts(links_of, pairs, processes, MIN_PAIRS_PER_PROCESS, "links")
        for link in part
    ]
    groups = [
        g
        for g in cluster_links(len(inputs), links, [inp.date for inp in inputs], settings)
        if len(g) >= settings.min_articles
    ]
    # The candidate pairs (~680,000 tuples at 10,000 articles), their links and the
    # blocking keys are done with: let them go before the "adds" step forks its helper,
    # which would otherwise share them, and which is when a cold build peaks in memory.
    del keys, pairs, links
    adds = story_adds(
        vectors,
        unit_counts,
        units,
        [[body_units[i] for i in g] for g in groups],
        settings.sentence_threshold,
        processes=processes,
    )
    return _make_stories(inputs, X, groups, adds)


def _make_stories(inputs, X, groups, all_adds) -> list[Story]:
    stories: list[Story] = []
    for g, adds in zip(groups, all_adds, strict=True):
        sims = self_cosines(X[g])
        centrality = (sims.sum(axis=1) - sims.diagonal()) / (len(g) - 1)
        # Most central: highest mean cosine; ties → longer text, then id (stable).
        central_pos = max(
            range(len(g)),
            key=lambda p: (round(float(centrality[p]), 6), len(inputs[g[p]].text), inputs[g[p]].id),
        )
        members = [
            StoryMember(
                id=inputs[i].id,
                title=inputs[i].title,
                outlet=inputs[i].outlet,
                date=inputs[i].date.isoformat() if inputs[i].date else None,
                centrality=float(centrality[p]),
                adds=adds[p],
            )
            for p, i in enumerate(g)
        ]
        members.sort(key=lambda m: (m.date is None, m.date or "", m.id))
        central = inputs[g[central_pos]]
        stories.append(Story(slug="", title=central.title, central=central.id, members=members))
    slugs = assign_unique_slugs([(s.central, slugify(s.title, fallback="story")) for s in stories])
    for s in stories:
        s.slug = slugs[s.central]
    stories.sort(key=lambda s: (not s.dates, s.dates[0] if s.dates else "", s.slug))
    return stories


# --------------------------------------------------------------------------- adapters & eval


#: Characters of body text compared between articles: the lead says what the event is, and
#: a huge dump (a 50 MB paste) must not turn into a 50 MB TF-IDF row.
MAX_STORY_TEXT_CHARS = 20_000


def lead_text(digest) -> str:
    """The body text a story compares: the article's body lines, at most
    ``MAX_STORY_TEXT_CHARS``."""
    from .model import LineLabel

    packed = digest.packed_text("lead")
    if packed is not None:
        return packed

    parts, size = [], 0
    for ln in digest.lines:
        if ln.label is LineLabel.BODY:
            parts.append(ln.text)
            size += len(ln.text) + 1
            if size >= MAX_STORY_TEXT_CHARS:
                break
    return "\n".join(parts)[:MAX_STORY_TEXT_CHARS]


def story_inputs_from_articles(digests: Iterable[Any]) -> list[StoryInput]:
    """StoryInputs from pipeline :class:`~news_digest.model.DigestArticle` objects.

    Uses ``digest.meta.date.value`` (ISO, or None) and the ids of ``digest.entities``;
    the text is the body lines (captions and credits repeat or name sources, not events).
    """

    out = []
    for d in digests:
        value = d.meta.date.value
        try:
            date = _dt.date.fromisoformat(value[:10]) if value else None
        except ValueError:
            date = None
        out.append(
            StoryInput(
                id=d.source,
                title=d.meta.display_title,
                outlet=d.meta.outlet.name,
                date=date,
                entity_ids=frozenset(e.id for e in getattr(d, "entities", []) or []),
                text=lead_text(d),
            )
        )
    return out


@dataclass
class PairwiseScore:
    precision: float
    recall: float
    f1: float
    true_pairs: int
    predicted_pairs: int
    correct_pairs: int

    def __str__(self) -> str:
        return (
            f"pairwise precision={self.precision:.3f} recall={self.recall:.3f} f1={self.f1:.3f} "
            f"(gold pairs={self.true_pairs}, predicted={self.predicted_pairs}, correct={self.correct_pairs})"
        )


def _pairs_of(groups: Iterable[Iterable[str]]) -> set[tuple[str, str]]:
    pairs = set()
    for g in groups:
        ids = sorted(set(g))
        pairs.update((a, b) for k, a in enumerate(ids) for b in ids[k + 1 :])
    return pairs


def pairwise_scores(stories: Iterable[Story], gold: Mapping[str, str]) -> PairwiseScore:
    """Pairwise precision/recall/F1 of predicted stories against gold labels
    ({article id: event label}); articles alone in their event form no gold pair."""
    by_label: dict[str, list[str]] = defaultdict(list)
    for article_id, label in gold.items():
        by_label[label].append(article_id)
    truth = _pairs_of(by_label.values())
    predicted = _pairs_of(s.member_ids for s in stories)
    correct = len(truth & predicted)
    p = correct / len(predicted) if predicted else 1.0
    r = correct / len(truth) if truth else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return PairwiseScore(p, r, f, len(truth), len(predicted), correct)
