"""Pelican glue: a reader that runs the pure pipeline on one dump file."""

from __future__ import annotations

import datetime as _dt
import logging
import os
from pathlib import Path
from zoneinfo import ZoneInfo

from pelican.readers import BaseReader

from . import settings as nd_settings
from .cache import PipelineCache, cached_process_with_key, dump_stamp
from .model import DigestArticle, DumpRejected
from .parallel import read_sidecar
from .render import article_html, summary_text
from .rules import DataFileError, Rules, load_rules
from .state import FREEZE_EVERY_READS, freeze_build_state

logger = logging.getLogger(__name__)

#: A dump larger than this is rejected before it is read (bounded memory).
MAX_DUMP_BYTES = 64 * 1024 * 1024


def content_relpath(path: str | os.PathLike, settings: dict) -> str:
    """Path of an input relative to the content directory, with forward slashes."""
    # Fastest path, for a file under the content directory (every dump): a prefix cut.
    # ``os.path.relpath`` and ``pathlib`` cost ~50 µs a dump under the profiler.
    absolute = os.path.abspath(path)
    root = os.path.join(os.path.abspath(settings.get("PATH", ".")), "")
    if absolute.startswith(root) and len(absolute) > len(root):
        rel = absolute[len(root) :]
        return rel if os.sep == "/" else rel.replace(os.sep, "/")
    # Fast path without resolving symlinks (one lstat per path component per file).
    rel = os.path.relpath(absolute, os.path.abspath(settings.get("PATH", ".")))
    if not rel.startswith(".."):
        return Path(rel).as_posix()
    root = Path(settings.get("PATH", ".")).resolve()
    try:
        return Path(path).resolve().relative_to(root).as_posix()
    except ValueError:
        pass
    # A symlink (dangling, or pointing elsewhere) is named by where it sits, not its target.
    plain = os.path.relpath(os.path.abspath(path), os.path.abspath(settings.get("PATH", ".")))
    if not plain.startswith(".."):
        return Path(plain).as_posix()
    return Path(path).as_posix()


def sidecar_path(path: Path) -> Path:
    return path.with_name(path.name.rsplit(".", 1)[0] + ".meta.yaml")


def read_sidecar_meta(path: Path) -> dict | None:
    """The editor's <stem>.meta.yaml beside a dump, if there is one (safe-loaded).

    Sidecars hold a title, a date, an author: they never need YAML aliases, so any alias
    is refused (an anchors/aliases "billion laughs" bomb is rejected, naming the file).
    """
    return read_sidecar(path)


def _record_sidecar(path: Path, rel: str, settings: dict, rejection: str | None) -> None:
    """Account for a dump's <stem>.meta.yaml in the build report (used or rejected)."""
    from .report import REJECTED, USED, ReportEntry
    from .state import STATE

    side = sidecar_path(path)
    if not side.is_file() and not rejection:
        return
    side_rel = content_relpath(side, settings)
    if rejection:
        STATE.report.add(ReportEntry(side_rel, "sidecar", REJECTED, rejection))
    else:
        STATE.report.add(ReportEntry(side_rel, "sidecar", USED, f"metadata for {rel}"))


class DumpReader(BaseReader):
    """Reads raw news dumps (``*.txt``) into articles through the pure pipeline."""

    enabled = True
    file_extensions = ["txt"]

    def __init__(self, settings):
        super().__init__(settings)
        self._rules: Rules | None = None
        self.cache = PipelineCache(nd_settings.cache_dir(settings))
        self._reads = 0
        self._index_checked = None  # the key index found to belong to this reader's cache

    @property
    def rules(self) -> Rules:
        if self._rules is None:
            self._rules = load_rules(nd_settings.get(self.settings, "NEWS_DIGEST_DATA_DIR"))
        return self._rules

    def read(self, source_path):
        rel = content_relpath(source_path, self.settings)
        try:
            digest, key = self._known_result(source_path, rel)
            if digest is not None:
                return self._article(digest, key, rel)
            path = Path(source_path)
            size = path.stat().st_size
            if size > MAX_DUMP_BYTES:
                raise DumpRejected(f"file too large: {size} bytes (limit {MAX_DUMP_BYTES})")
            try:
                sidecar = read_sidecar_meta(path)
            except (DataFileError, DumpRejected) as exc:
                reason = str(exc) if isinstance(exc, DataFileError) else exc.reason
                reason = reason.replace(
                    str(sidecar_path(path)), content_relpath(sidecar_path(path), self.settings)
                )
                _record_sidecar(path, rel, self.settings, reason)
                raise DumpRejected(f"sidecar metadata rejected: {reason}") from None
            if sidecar is not None:  # None: there is no sidecar file (read_sidecar looked)
                _record_sidecar(path, rel, self.settings, None)
            # No local name keeps the bytes: the pipeline frees them once decoded.
            digest, key = cached_process_with_key(self.cache, path.read_bytes(), rel, self.rules, sidecar)
        except DumpRejected as exc:
            return self._rejected(rel, exc.reason, exc.line, getattr(exc, "encoding", None))
        except DataFileError as exc:
            return self._rejected(rel, str(exc))
        except OSError as exc:
            return self._rejected(rel, f"cannot read file {rel}: {exc.strerror or exc}")
        except Exception as exc:  # one broken dump must never stop the build
            logger.exception("news-digest: internal error on %s", rel)
            return self._rejected(rel, f"internal error: {type(exc).__name__}: {exc}")
        return self._article(digest, key, rel)

    def _known_result(self, source_path: str, rel: str) -> tuple[DigestArticle | None, str]:
        """The cached article of a dump whose key the prefill found and whose file (and
        sidecar) did not change since: loaded without reading or hashing the dump. Else
        (None, ""), and the dump takes the full path (which also reports rejections)."""
        from .state import STATE

        index = STATE.key_index
        if index is None or not self.cache.enabled or index.path is None:
            return None, ""
        if self._index_checked is not index:  # once per build, not per dump (Path compares)
            if index.path.parent != self.cache.directory:
                return None, ""
            self._index_checked = index
        stamp = dump_stamp(source_path)
        key = index.get(rel, stamp)
        result = None
        if key and STATE.digest_pack is not None:
            result = STATE.digest_pack.take(key)
        if key and result is None:
            result = self.cache.get(key)
        if stamp is None or not isinstance(result, DigestArticle):
            return None, ""
        if stamp[-1] is not None:  # it has a sidecar, valid when the key was computed
            _record_sidecar(Path(source_path), rel, self.settings, None)
        return result, key

    def _article(self, digest: DigestArticle, key: str, rel: str):
        tz = ZoneInfo(nd_settings.get(self.settings, "NEWS_DIGEST_TIMEZONE"))
        if digest.meta.date.value:
            date = _dt.datetime.combine(_dt.date.fromisoformat(digest.meta.date.value), _dt.time(), tz)
        else:
            # Pelican sorts by date; undated articles sort last and are flagged.
            date = _dt.datetime(1970, 1, 1, tzinfo=tz)
        metadata = {
            "title": digest.meta.display_title,
            "slug": digest.slug,
            "date": date,
            "lang": self.settings.get("DEFAULT_LANG", "vi"),
            "translation_key": rel,
            "summary": summary_text(digest),
            "digest": digest,
            "undated": digest.meta.date.value is None,
        }
        if key:
            # What the page writer describes the digest by (writer._digest_head).
            metadata["digest_key"] = key
            from .state import STATE

            STATE.loaded_digests[key] = digest  # for the next digest pack
        self._reads += 1
        if self._reads % FREEZE_EVERY_READS == 0:
            freeze_build_state()  # what was read so far lives until the build ends
        return article_html(digest), metadata

    def _rejected(self, rel: str, reason: str, line: int | None = None, encoding: str | None = None):
        logger.warning("news-digest: rejected %s: %s", rel, reason)
        return "", {
            "status": "skip",
            "title": rel,
            "digest_rejection": {"source": rel, "reason": reason, "line": line, "encoding": encoding},
        }
