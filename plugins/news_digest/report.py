"""Build report: every input file under content/ with its status and the reason."""

from __future__ import annotations

import hashlib
import json
import marshal
import os
from dataclasses import dataclass, field

PUBLISHED = "published"
PUBLISHED_WITH_WARNINGS = "published-with-warnings"
REJECTED = "rejected"
USED = "used"  # an auxiliary file (translation sidecar, .meta.yaml) that was applied
IGNORED = "ignored"  # a file that is not an input of ours

STATUSES = (PUBLISHED, PUBLISHED_WITH_WARNINGS, REJECTED, USED, IGNORED)


@dataclass
class ReportEntry:
    source: str  # path relative to the content directory, with forward slashes
    kind: str  # dump | translation | sidecar | other
    status: str
    reason: str = ""
    line: int | None = None
    warnings: list[str] = field(default_factory=list)
    slug: str | None = None
    title: str | None = None
    url: str | None = None
    details: dict = field(default_factory=dict)


class BuildReport:
    """Collects one entry per input; later records for the same source replace earlier ones."""

    def __init__(self) -> None:
        self.entries: dict[str, ReportEntry] = {}

    def add(self, entry: ReportEntry) -> None:
        self.entries[entry.source] = entry

    def get(self, source: str) -> ReportEntry | None:
        return self.entries.get(source)

    def account_for_all(self, content_dir: str | os.PathLike, ignore: tuple[str, ...] = ()) -> None:
        """Add an entry for every file under ``content_dir`` nobody reported on."""
        root = os.fspath(content_dir)
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if d not in ignore)
            # The directory's path relative to the content directory, with forward
            # slashes; joined by hand: a Path per file cost ~0.1 s at 10,000 dumps.
            prefix = os.path.relpath(dirpath, root).replace(os.sep, "/")
            prefix = "" if prefix == "." else prefix + "/"
            for name in sorted(filenames):
                rel = prefix + name
                if rel not in self.entries:
                    self.add(ReportEntry(rel, "other", IGNORED, "not a dump or a sidecar of one"))

    def sorted_entries(self) -> list[ReportEntry]:
        return [self.entries[k] for k in sorted(self.entries)]

    def counts(self) -> dict[str, int]:
        counts = {s: 0 for s in STATUSES}
        for e in self.entries.values():
            counts[e.status] = counts.get(e.status, 0) + 1
        counts["total"] = len(self.entries)
        return counts

    def key(self) -> str | None:
        """A hash that changes whenever :meth:`to_json` would write something else, or
        None when an entry holds a value this cannot hash (then the file is always written).

        The entries are serialised by ``marshal`` (plain values only, one fixed byte
        form for equal values), with the code version: the JSON layout is code."""
        from .cache import code_version

        rows = (self.counts(), [tuple(vars(e).values()) for e in self.sorted_entries()])
        try:
            data = marshal.dumps(rows, 0)
        except ValueError:
            return None
        return hashlib.sha256(code_version().encode() + b"\0" + data).hexdigest()

    def to_json(self) -> str:
        """The report as JSON: counts, then one entry per line (readable and diffable;
        each line is written by json's C encoder, which an ``indent`` would turn off:
        0.7 s of a 10,000-dump build, profiled)."""
        counts = json.dumps(self.counts(), ensure_ascii=False)
        # vars(), not dataclasses.asdict: the fields are plain values, and asdict's
        # recursive deep copy cost more than the encoding.
        entries = ",\n".join(json.dumps(vars(e), ensure_ascii=False) for e in self.sorted_entries())
        listed = f"[\n{entries}\n]" if entries else "[]"
        return f'{{"counts": {counts},\n"entries": {listed}}}\n'
