"""The pure pipeline: bytes of one dump → :class:`DigestArticle`. No Pelican here.

Callers (the Pelican reader, the CLI, the benchmarks) read files and settings and pass
them in; nothing in this module touches the file system.
"""

from __future__ import annotations

import datetime as _dt
import hashlib

from .clean import clean_text
from .decode import decode_bytes
from .metadata import derive_display_title, extract_metadata
from .model import DigestArticle, DumpRejected, Evidence, LineLabel, ResolvedDate, Warning_
from .rules import Rules
from .slugs import slugify
from .taxonomy import assign_topics, link_entities

#: Header keys that would let a dump choose where its page is written: never honoured.
UNSAFE_HEADER_KEYS = ("save_as", "url")


def _apply_sidecar(meta, sidecar: dict | None, warnings: list[Warning_]) -> None:
    """Editor's <stem>.meta.yaml overrides what the dump says (title, date, author)."""
    if not sidecar:
        return
    if isinstance(sidecar.get("title"), str) and sidecar["title"].strip():
        meta.title = meta.display_title = sidecar["title"].strip()
        meta.title_source = "sidecar"
    if isinstance(sidecar.get("author"), str):
        meta.byline = sidecar["author"].strip() or meta.byline
    if "date" in sidecar:
        value = sidecar["date"]
        if isinstance(value, (_dt.date, _dt.datetime)):
            value = value.isoformat()
        meta.date = ResolvedDate(
            str(value)[:10], "high", [Evidence(rule="sidecar_meta_yaml", text=str(value))]
        )


def _check_date(meta, warnings: list[Warning_]) -> None:
    if meta.date.value is None:
        return
    try:
        _dt.date.fromisoformat(meta.date.value)
    except ValueError:
        warnings.append(Warning_(f"unusable date {meta.date.value!r}; article left undated"))
        meta.date = ResolvedDate(None, "none", meta.date.evidence, [f"invalid date {meta.date.value!r}"])


def _report_date(meta, warnings: list[Warning_]) -> None:
    """Date problems (undated, low confidence, dropped evidence) reach the build report."""
    for note in meta.date.warnings:
        warnings.append(Warning_(f"date: {note}"))
    if meta.date.value and meta.date.confidence == "low":
        warnings.append(Warning_(f"date: {meta.date.value} is a low-confidence guess"))


#: Rules (regexes written by many hands, some in YAML) see at most this many characters
#: of a line: a news paragraph is rarely longer, and a regex that backtracks on a long run
#: ("| | | …" × 1 MB) stays bounded. The full line is put back after the rules ran.
RULE_VIEW_CHARS = 2_000
#: A "line" longer than this is minified script, base64 or a runaway dump, never a news
#: paragraph (the longest in the seeds is under 1,500 characters): dropped as not text.
MAX_LINE_CHARS = 20_000
#: Metadata, dates and taxonomy read at most this many lines of a dump: the first and the
#: last half (datelines and headlines sit at the top, credits and follow-us lines at the
#: bottom). A news article is a few dozen lines; a dump of 300,000 lines (a 50 MB paste)
#: would otherwise cost minutes of per-line rules for no better answer.
MAX_ANALYSED_LINES = 4_000
#: Longest display title kept (a derived title of one endless word stays bounded).
MAX_TITLE_CHARS = 300


def _has_long_line(text: str, limit: int) -> bool:
    """True when a line of ``text`` is longer than ``limit``, without copying the text.

    Scans "\n"-separated stretches with ``str.find`` (linear, no regex); only a stretch
    longer than ``limit`` is split by every ``splitlines`` break to confirm.
    """
    start, end = 0, len(text)
    while start < end:
        nl = text.find("\n", start)
        stop = end if nl < 0 else nl
        if stop - start > limit and any(len(p) > limit for p in text[start:stop].splitlines()):
            return True
        start = stop + 1
    return False


def clip_long_lines(text: str, limit: int = RULE_VIEW_CHARS) -> tuple[str, dict[int, str]]:
    """Return ``text`` with every line longer than ``limit`` cut to ``limit`` characters,
    and {line number: original line}. Line numbering (``str.splitlines``) is unchanged.

    Example: a dump whose line 3 is a 5 MB base64 image comes back with line 3 cut to
    2,000 characters and ``{3: <the 5 MB line>}``.
    """
    if not _has_long_line(text, limit):
        return text, {}
    parts = text.splitlines(keepends=True)
    originals: dict[int, str] = {}
    for i, part in enumerate(parts, start=1):
        body = part.splitlines()[0] if len(part) > limit else ""
        if len(body) > limit:
            originals[i] = body
            parts[i - 1] = body[:limit] + part[len(body) :]
    return "".join(parts), originals


def restore_long_lines(lines, originals: dict[int, str]) -> list[Warning_]:
    """Put back the full text of clipped lines; drop those over ``MAX_LINE_CHARS``.

    Returns a warning per dropped line (line number included) for the report.
    """
    warnings = []
    for ln in lines:
        full = originals.get(ln.n)
        if full is None:
            continue
        ln.text = full
        if len(full) > MAX_LINE_CHARS:
            ln.label, ln.rule = LineLabel.BOILERPLATE, "overlong_line"
            ln.reason = f"{len(full)} characters on one line: not article text (limit {MAX_LINE_CHARS})"
            warnings.append(Warning_(f"line of {len(full)} characters dropped as not article text", ln.n))
    return warnings


def analysed_lines(lines: list, limit: int = MAX_ANALYSED_LINES) -> list:
    """The lines the metadata and taxonomy stages read: all of them, or for a huge dump
    the first and last ``limit // 2`` (see MAX_ANALYSED_LINES)."""
    if len(lines) <= limit:
        return lines
    half = limit // 2
    return lines[:half] + lines[-half:]


def process_dump(
    data: bytes,
    source: str,
    rules: Rules,
    sidecar: dict | None = None,
    today: _dt.date | None = None,
) -> DigestArticle:
    """Run decode → clean → metadata on one dump.

    ``source`` is the path shown to people (relative to the content directory); ``today``
    is the build date (default: the system date), after which no date is believed.
    Raises :class:`DumpRejected` when the dump cannot become an article; its
    ``encoding`` attribute says what decoding found, when it got that far.
    """
    sha256 = hashlib.sha256(data).hexdigest()
    decoded = decode_bytes(data, source)
    del data  # the caller may have dropped its reference: free the bytes early
    try:
        return _process_decoded(decoded, sha256, source, rules, sidecar, today)
    except DumpRejected as exc:
        exc.encoding = decoded.encoding
        raise


def _process_decoded(
    decoded, sha256: str, source: str, rules: Rules, sidecar: dict | None, today: _dt.date | None
) -> DigestArticle:
    text, clipped = clip_long_lines(decoded.text)
    decoded.text = ""  # the lines hold the text from here on
    lines, header = clean_text(text, rules)
    del text
    overlong = {n: full for n, full in clipped.items() if len(full) > MAX_LINE_CHARS}
    for ln in lines:
        if ln.n in overlong:  # not text, whatever rules made of its first characters
            ln.label = LineLabel.BOILERPLATE
    warnings = [Warning_(note) for note in decoded.notes]
    for key in UNSAFE_HEADER_KEYS:
        if key in header:
            line = next((ln.n for ln in lines if ln.text.lower().startswith(key + ":")), None)
            warnings.append(
                Warning_(f"header key {key!r} ignored: output paths are never taken from a dump", line)
            )
    if not any(ln.label is LineLabel.BODY for ln in lines):
        reason = "no article text: every line is page noise, blank or a header"
        first_long = min(overlong) if overlong else None
        if first_long is not None:
            reason = (
                f"no article text: line {first_long} is {len(overlong[first_long])} characters long "
                f"(over {MAX_LINE_CHARS}: not article text); every other line is noise, blank or a header"
            )
        restore_long_lines(lines, clipped)
        raise DumpRejected(reason, first_long)
    view = analysed_lines(lines)
    if len(view) < len(lines):
        warnings.append(
            Warning_(
                f"very long dump ({len(lines)} lines): metadata, dates, topics and entities "
                f"read from its first and last {MAX_ANALYSED_LINES // 2} lines"
            )
        )
    meta = extract_metadata(view, header, rules, today=today)
    warnings += restore_long_lines(lines, clipped)
    _apply_sidecar(meta, sidecar, warnings)
    _check_date(meta, warnings)
    _report_date(meta, warnings)
    untitled = not meta.display_title.strip()
    if untitled:  # e.g. a dump whose only text is "." (found by fuzzing)
        meta.display_title = derive_display_title([])
        warnings.append(Warning_("no usable title: published under a placeholder title"))
    if len(meta.display_title) > MAX_TITLE_CHARS:
        meta.display_title = meta.display_title[:MAX_TITLE_CHARS].rstrip() + " …"
    stem = source.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    slug = slugify(header.get("slug") or ("" if untitled else meta.display_title), fallback=stem)
    return DigestArticle(
        source=source,
        stem=stem,
        sha256=sha256,
        encoding=decoded.encoding,
        lines=lines,
        meta=meta,
        slug=slug,
        topics=assign_topics(view, rules.topics) if rules.topics else [],
        entities=link_entities(view, rules.entities) if rules.entities else [],
        warnings=warnings,
    )
