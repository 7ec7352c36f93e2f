"""A deterministic generator of realistic raw dumps for benchmarks and scale tests.

The seeds (``shared/seeds``) and their hand labels (``shared/gold``) give the *material*:
body sentences (lines the gold labels ``body``), headlines, teasers and captions. The
generator recombines them into new dumps that reproduce the *structure* of the seeds'
outlets, not their exact lines:

- baoquocte-style: headline, bare byline, lead, "Theo dõi Baoquocte.vn trên", two
  captions with "(Nguồn: …)", an inline "Tin liên quan" card, repeated-headline teaser
  cards, "(theo …)" credit, an "Đọc thêm" list and a trailing "Phiên bản di động";
- vtv-style: headline, caption, paragraphs, "Theo vtv.vn", "Tin cùng chuyên mục" with
  "dd.mm.yyyy | HH:MM PM" stamps, "Xem tin theo ngày";
- vov-style: "VOV.VN - " lead, "Mời quý độc giả theo dõi VOV.VN trên", "Tin liên quan"
  cards each a headline twice and a "VOV.VN - " teaser;
- vietnamplus-style: lead, a caption duplicated with "(Ảnh: AFP/TTXVN)", "(TTXVN/Vietnam+)",
  "Tin cùng chuyên mục";
- table-style (no headline): "TIN LIÊN QUAN | |" block, captions ending in " |".

Dates are spread over years: every article mentions its day/month ("Ngày 10/4, …") in the
body, some state the year, and about a fifth carry an editor's ``Date:`` header. Output
is a pure function of (material, n, seed): the same seed always gives the same bytes.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

#: Sentence boundary inside a body paragraph: end punctuation, space, capital or quote.
_SENTENCE_END = re.compile(r"(?<=[.!?…”\"])\s+(?=[A-ZĐÀ-Ỹ“\"])")
#: A leading outlet prefix such as "VOV.VN - " that the generator adds back per style.
_OUTLET_PREFIX = re.compile(r"^[A-Z][A-Z.]{2,12}\s+-\s+")
_DATE_LEAD = re.compile(r"^(Ngày|Trong ngày|Cùng ngày)\s+\d{1,2}/\d{1,2}[^,]*,\s*", re.IGNORECASE)

BYLINE_FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô")
BYLINE_GIVEN = ("Minh", "Hương", "Anh", "Thảo", "Hùng", "Lan", "Quang", "Hà", "Dũng", "Thu")
WIRE_CREDITS = ("Reuters", "AFP", "AP", "Kyodo", "Yonhap", "Bloomberg", "CNN", "TTXVN")
STYLES = ("baoquocte", "vtv", "vov", "vietnamplus", "table")


@dataclass
class Material:
    """Recombinable Vietnamese text taken from the seeds by their gold labels."""

    sentences: list[str] = field(default_factory=list)
    headlines: list[str] = field(default_factory=list)
    teasers: list[str] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)


def _dedupe(items: list[str]) -> list[str]:
    return sorted(set(items))


def split_sentences(paragraph: str) -> list[str]:
    """Split a body paragraph into sentences ("… Nhật Bản. Bộ trưởng …" → two)."""
    return [s.strip() for s in _SENTENCE_END.split(paragraph) if len(s.strip()) > 20]


def looks_like_headline(text: str) -> bool:
    """A related-list item: 25–160 chars, not a sentence, not a follow/section line.

    "Tổng thống Hàn Quốc với biệt tài 'ngoại giao thượng đỉnh'" is one;
    "Mời quý độc giả theo dõi VOV.VN trên" and full teaser sentences are not.
    """
    folded = text.casefold()
    return (
        25 <= len(text) <= 160
        and not text.startswith("-")
        and not text.endswith((".", "…", ":", "|"))
        and "theo dõi" not in folded
        and not folded.startswith(("tin ", "xem ", "đọc thêm", "phiên bản"))
    )


def load_material(seeds_dir: Path, gold_dir: Path) -> Material:
    """Collect sentences, headlines, teasers and captions from the seeds by gold label.

    Body lines give sentences (their outlet prefix and leading date phrase removed, since
    each generated article states its own); boilerplate lines give headlines (short, no
    ellipsis) and teasers (ending in "..."), which feed the generated noise blocks.
    """
    mat = Material()
    for gold_path in sorted(Path(gold_dir).glob("*.gold.json")):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        if not (Path(seeds_dir) / gold["file"]).is_file():
            continue
        for line in gold["lines"]:
            text = line["text"].replace("|", "").strip()
            label = line["label"]
            if not text:
                continue
            if label == "body":
                text = _DATE_LEAD.sub("", _OUTLET_PREFIX.sub("", text))
                mat.sentences.extend(s[0].upper() + s[1:] for s in split_sentences(text))
            elif label == "title":
                mat.headlines.append(text)
            elif label == "caption":
                mat.captions.append(re.sub(r"\s*\((Nguồn|Ảnh):[^)]*\)\s*$", "", text))
            elif label == "boilerplate":
                if text.endswith(("...", "…")) and len(text) > 60:
                    mat.teasers.append(_OUTLET_PREFIX.sub("", text))
                elif looks_like_headline(text):
                    mat.headlines.append(text)
    mat.sentences, mat.headlines = _dedupe(mat.sentences), _dedupe(mat.headlines)
    mat.teasers, mat.captions = _dedupe(mat.teasers), _dedupe(mat.captions)
    if not (mat.sentences and mat.headlines and mat.teasers and mat.captions):
        raise ValueError(f"not enough labelled material in {gold_dir} for seeds in {seeds_dir}")
    return mat


class DumpMaker:
    """Builds one dump at a time from :class:`Material` with a seeded ``random.Random``."""

    def __init__(self, material: Material, seed: int = 0):
        self.m = material
        self.rng = random.Random(seed)

    # -- pieces ---------------------------------------------------------------------
    def date(self) -> _dt.date:
        start = _dt.date(2014, 1, 1).toordinal()
        return _dt.date.fromordinal(start + self.rng.randrange(12 * 365))

    def byline(self) -> str:
        return f"{self.rng.choice(BYLINE_FAMILY)} {self.rng.choice(BYLINE_GIVEN)}"

    def paragraphs(self, day: _dt.date, count: int) -> list[str]:
        """Body paragraphs of 1–3 recombined sentences; the first states day/month."""
        paras = []
        for i in range(count):
            sents = self.rng.sample(self.m.sentences, k=min(len(self.m.sentences), self.rng.randint(1, 3)))
            if i == 0:
                lead = f"Ngày {day.day}/{day.month}"
                if self.rng.random() < 0.3:
                    lead += f"/{day.year}"
                sents[0] = f"{lead}, {sents[0][0].lower()}{sents[0][1:]}"
            elif self.rng.random() < 0.15:
                sents.append(f"Dự kiến sự kiện tiếp theo diễn ra vào năm {day.year + 1}.")
            paras.append(" ".join(sents))
        return paras

    def caption(self, credit: str) -> str:
        return f"{self.rng.choice(self.m.captions).rstrip('. ')}. ({credit})"

    def stamp(self, day: _dt.date) -> str:
        d = day - _dt.timedelta(days=self.rng.randrange(1, 900))
        hour, minute = self.rng.randrange(24), self.rng.randrange(60)
        return f"{d.day:02d}.{d.month:02d}.{d.year} | {hour:02d}:{minute:02d} {'AM' if hour < 12 else 'PM'}"

    def title(self) -> str:
        """A headline, often recombined ("Châu Âu: " + another headline) so titles vary."""
        first = self.rng.choice(self.m.headlines)
        if self.rng.random() < 0.25:
            return first
        lead = re.split(r"[:,;]", self.rng.choice(self.m.headlines), maxsplit=1)[0].strip()
        return f"{lead}: {first}"

    def headlines(self, k: int) -> list[str]:
        return self.rng.sample(self.m.headlines, k=min(k, len(self.m.headlines)))

    # -- outlet styles ----------------------------------------------------------------
    def baoquocte(self, title: str | None, day: _dt.date) -> list[str]:
        paras = self.paragraphs(day, self.rng.randint(3, 6))
        out = [title or "", "", self.byline(), paras[0], "Theo dõi Baoquocte.vn trên"]
        out += [self.caption("Nguồn: " + self.rng.choice(WIRE_CREDITS)) for _ in range(2)]
        out += ["", paras[1], "", "Tin liên quan", " ".join(self.headlines(2)), ""]
        for p in paras[2:]:
            out += [p, ""]
        for h in self.headlines(self.rng.randint(2, 5)):
            out += [h, "", h, "", self.rng.choice(self.m.teasers), ""]
        out += [f"(theo {', '.join(self.rng.sample(WIRE_CREDITS, 2))})", "", "Đọc thêm", ""]
        for h in self.headlines(self.rng.randint(3, 12)):
            out += [h, "", h, "", self.rng.choice(self.m.teasers)]
        return [*out, "Phiên bản di động"]

    def vtv(self, title: str | None, day: _dt.date) -> list[str]:
        out = [title] if title else []
        out.append(self.rng.choice(self.m.captions))
        out += self.paragraphs(day, self.rng.randint(3, 8))
        out += ["Theo vtv.vn", "Tin cùng chuyên mục"]
        out += [f"- {h} {self.stamp(day)}" for h in self.headlines(self.rng.randint(4, 10))]
        out += ["Xem tin theo ngày", "-"]
        out += [f"- {h}" for h in self.headlines(self.rng.randint(3, 9))]
        return out

    def vov(self, title: str | None, day: _dt.date) -> list[str]:
        paras = self.paragraphs(day, self.rng.randint(3, 6))
        paras[0] = "VOV.VN - " + paras[0]
        out = [title or "", ""]
        for p in paras:
            out += [p, ""]
        out += ["Mời quý độc giả theo dõi VOV.VN trên", "", "Tin liên quan", ""]
        for h in self.headlines(self.rng.randint(2, 5)):
            teaser = "VOV.VN - " + self.rng.choice(self.m.sentences)
            out += [h, h, "", teaser, "", h, "", h, "", teaser, ""]
        return out

    def vietnamplus(self, title: str | None, day: _dt.date) -> list[str]:
        paras = self.paragraphs(day, self.rng.randint(4, 9))
        cap = self.caption("Ảnh: " + self.rng.choice(("AFP/TTXVN", "Reuters/TTXVN", "TTXVN")))
        out = [title or "", "", paras[0], "", cap, cap, ""]
        for p in paras[1:]:
            out += [p, ""]
        out[-2] += "/."
        return [*out, "(TTXVN/Vietnam+)", "", "Tin cùng chuyên mục"]

    def table(self, title: str | None, day: _dt.date) -> list[str]:
        out = ["TIN LIÊN QUAN | |"] + [f"{h} | |" for h in self.headlines(2)]
        paras = self.paragraphs(day, self.rng.randint(3, 6))
        out += [paras[0], self.caption("Nguồn: " + self.rng.choice(WIRE_CREDITS)) + " |", *paras[1:]]
        out += [f"{h} {self.rng.choice(self.m.teasers)} |" for h in self.headlines(3)]
        return out

    def dump(self) -> tuple[str, str]:
        """One dump: (style, text). About 10 % have no headline, 20 % a ``Date:`` header."""
        style = self.rng.choice(STYLES)
        day = self.date()
        title = None if style == "table" or self.rng.random() < 0.1 else self.title()
        lines = getattr(self, style)(title, day)
        if lines and lines[0] == "" and title is None:
            lines = lines[2:] if len(lines) > 1 and lines[1] == "" else lines[1:]
        if self.rng.random() < 0.2:
            lines = [f"Date: {day.isoformat()}", "", *lines]
        return style, "\n".join(lines)


def generate_corpus(material: Material, n: int, out_dir: Path, seed: int = 0) -> list[Path]:
    """Write ``n`` dumps into ``out_dir`` (sub-directories of 1,000 files) and return paths.

    File names are ``<index>_<first 16 hex of the sha256 of the text>.txt`` like the seeds.
    """
    out_dir = Path(out_dir)
    maker = DumpMaker(material, seed)
    paths = []
    for i in range(n):
        _style, text = maker.dump()
        data = text.encode("utf-8")
        sub = out_dir / f"batch{i // 1000:03d}"
        sub.mkdir(parents=True, exist_ok=True)
        path = sub / f"{i:05d}_{hashlib.sha256(data).hexdigest()[:16]}.txt"
        path.write_bytes(data)
        paths.append(path)
    return paths
