"""A cache of pure-pipeline results, keyed by what the result depends on.

``process_dump(data, source, rules, sidecar)`` is a pure function, so its result (a
:class:`DigestArticle`, or the :class:`DumpRejected` reason) can be stored and reused when
none of its inputs changed. The key hashes:

- the dump's bytes (sha256) and its ``source`` path (the article records it, and the slug
  falls back to the file stem);
- the editor's sidecar metadata, if any (its canonical JSON);
- ``rules.version`` (a hash of every YAML data file);
- the code version: a hash of every ``.py`` file of the package, so a rebuild after any
  code change never serves a stale result.

Entries are pickles in ``<cache_dir>/<2 hex>/<key>.pickle``, written atomically (temp file
+ ``os.replace``) so parallel writers (the process pool, Dask) never leave a torn file. A
corrupt or unreadable entry is treated as a miss. The Pelican reader, the process pool and
``news-digest process`` all go through :class:`PipelineCache`, so they share one cache.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import struct
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .model import DigestArticle, DumpRejected

PACKAGE_DIR = Path(__file__).resolve().parent
#: Bumped when the entry layout changes; part of every key.
CACHE_FORMAT = 1

_code_version: str | None = None


def code_version() -> str:
    """Hash of every Python source of the package (computed once per process).

    Hashing the sources, not ``__version__``, means an edited rule function invalidates
    the cache even when nobody bumps the version number.
    """
    global _code_version
    if _code_version is None:
        h = hashlib.sha256(str(CACHE_FORMAT).encode())
        for path in sorted(PACKAGE_DIR.rglob("*.py")):
            h.update(path.relative_to(PACKAGE_DIR).as_posix().encode())
            h.update(path.read_bytes())
        _code_version = h.hexdigest()[:16]
    return _code_version


def cache_key(data: bytes, source: str, rules_version: str, sidecar: dict | None = None) -> str:
    """The key of one dump's result: content hash + source + sidecar + data + code versions."""
    h = hashlib.sha256()
    for part in (
        hashlib.sha256(data).hexdigest(),
        source,
        json.dumps(sidecar, sort_keys=True, default=str, ensure_ascii=False) if sidecar else "",
        rules_version,
        code_version(),
    ):
        h.update(part.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()


@dataclass
class Rejection:
    """A cached :class:`DumpRejected` (exceptions are not stored as such)."""

    reason: str
    line: int | None = None

    def raise_(self) -> None:
        raise DumpRejected(self.reason, self.line)


Result = DigestArticle | Rejection


class PipelineCache:
    """Pickled pipeline results under ``directory``; ``None`` directory = disabled."""

    def __init__(self, directory: str | os.PathLike | None):
        self.directory = Path(directory) if directory else None
        self.hits = 0
        self.misses = 0

    @property
    def enabled(self) -> bool:
        return self.directory is not None

    def path_for(self, key: str) -> Path:
        assert self.directory is not None
        return self.directory / key[:2] / f"{key}.pickle"

    def get(self, key: str) -> Result | None:
        """The stored result, or ``None`` on a miss (also for a corrupt entry)."""
        if self.directory is None:
            return None
        try:
            with open(self.path_for(key), "rb") as fh:
                value: Any = pickle.load(fh)
        except FileNotFoundError:
            self.misses += 1
            return None
        except Exception:  # a torn or foreign file is a miss, never a crash
            self.misses += 1
            return None
        if not isinstance(value, (DigestArticle, Rejection)):
            self.misses += 1
            return None
        self.hits += 1
        return value

    def has(self, key: str) -> bool:
        return self.directory is not None and self.path_for(key).is_file()

    def put(self, key: str, value: Result) -> None:
        if self.directory is None:
            return
        write_pickle_atomically(self.path_for(key), value)


def read_versioned_dict(path: Path | None, version: object) -> dict:
    """The dict pickled with ``version`` at ``path`` (by :func:`write_pickle_atomically` as
    ``(version, dict)``), or an empty one when the file is missing, torn, foreign or of
    another version: what the build keeps beside the cache is only ever a shortcut."""
    if path is None:
        return {}
    try:
        with open(path, "rb") as fh:
            stored_version, entries = pickle.load(fh)
    except Exception:
        return {}
    return entries if stored_version == version and isinstance(entries, dict) else {}


def _file_stamp(path: str) -> tuple[int, int, int, int]:
    st = os.stat(path)
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def dump_stamp(path: str | os.PathLike) -> tuple | None:
    """What names a dump's bytes and its sidecar's without reading them: size, modification
    and change times and inode of both (None when the dump cannot be stat'ed).

    The change time (``ctime``) moves on every write and cannot be set back, also by
    tools that restore the modification time (``cp -p``, ``rsync -t``)."""
    path = os.fspath(path)
    try:
        dump = _file_stamp(path)
    except OSError:
        return None
    directory, name = os.path.split(path)
    try:
        sidecar: tuple | None = _file_stamp(os.path.join(directory, name.rsplit(".", 1)[0] + ".meta.yaml"))
    except FileNotFoundError:
        sidecar = None
    except OSError:
        return None
    return (*dump, sidecar)


class KeyIndex:
    """The cache keys of dumps computed by earlier builds, by source (the dump's path in
    the content directory) and :func:`dump_stamp`.

    A warm build would otherwise read and hash every dump twice (the prefill and the
    reader) only to find the keys it found last time: ~1 s at 10,000 dumps. Like git's
    index, a key is reused while the file's stamp is the one it was computed under.
    Keys depend on the data files and the code too: the index is dropped when either
    version changed. Stored in ``<cache_dir>/dump-keys.pickle``; a missing or unreadable
    index only costs the hashing."""

    FILE_NAME = "dump-keys.pickle"
    #: A file written less than this before it was read is not remembered: file times
    #: advance by clock ticks, so a second write within one tick could keep the stamp.
    RECENT_NS = 1_000_000_000

    def __init__(self, directory: str | os.PathLike | None, rules_version: str):
        self.path = Path(directory) / self.FILE_NAME if directory else None
        self.version = (CACHE_FORMAT, rules_version, code_version())
        self.entries: dict[str, tuple[tuple, str]] = read_versioned_dict(self.path, self.version)
        self.changed = False

    def get(self, source: str, stamp: tuple | None) -> str | None:
        """The key of ``source`` when it was computed under ``stamp``, else None."""
        entry = self.entries.get(source)
        return entry[1] if entry is not None and stamp is not None and entry[0] == stamp else None

    def put(self, source: str, stamp: tuple | None, key: str, read_at_ns: int) -> None:
        """Remember ``key`` for ``source`` read (from ``read_at_ns``, ``time.time_ns()``)
        under ``stamp``, unless a file was written too shortly before (see RECENT_NS)."""
        times = [] if stamp is None else [*stamp[1:3], *(stamp[4][1:3] if stamp[4] else ())]
        if stamp is None or max(times) >= read_at_ns - self.RECENT_NS:
            self.changed |= self.entries.pop(source, None) is not None
            return
        if self.entries.get(source) != (stamp, key):
            self.entries[source] = (stamp, key)
            self.changed = True

    def save(self, keep: set[str] | None = None) -> None:
        """Store the index (only the sources in ``keep``, when given: the dumps that exist)."""
        if self.path is None:
            return
        if keep is not None and not keep.issuperset(self.entries):
            self.entries = {p: e for p, e in self.entries.items() if p in keep}
            self.changed = True
        if self.changed:
            write_pickle_atomically(self.path, (self.version, self.entries))
            self.changed = False


class DigestPack:
    """The digests a build loaded, in one file per content directory
    (``<cache_dir>/digest-pack-<hash of the content path>.pickle``).

    A warm build loads 10,000 digests; from one pickle file each that is ~180 µs a
    digest, half of it opening and reading the file, against ~90 µs from one file. The
    pack is a copy of cache entries, never the only copy: a key it lacks is read from its
    entry. Each digest is its own pickle at an offset listed in a footer, so a build
    unpickles only the digests it asks for (another build's leftovers cost nothing) and
    writing never holds more than one digest's pickle. Tied to the code version (it
    pickles the model's classes). Written by the build when it has fallen behind
    (:meth:`stale`): in a cold build, while it waits for its story grouping."""

    #: Rewrite when more than this share of the digests a build loaded is not in the pack.
    MISSING_SHARE = 0.10
    #: Rewrite when more than this share of the pack was not used by the build.
    UNUSED_SHARE = 0.25
    _TRAILER = struct.Struct("<Q")  # offset of the footer

    def __init__(self, cache_dir: str | os.PathLike | None, content_path: str | os.PathLike = ""):
        self.path = output_state_path(cache_dir, "digest-pack", content_path) if cache_dir else None
        self.index: dict[str, tuple[int, int]] | None = None  # key → (offset, length), on first use
        self._file = None
        self.size = 0
        self.hits = 0

    def _open(self) -> None:
        self.index = {}
        if self.path is None:
            return
        try:
            fh = open(self.path, "rb")
        except OSError:
            return
        try:
            fh.seek(-self._TRAILER.size, os.SEEK_END)
            end = fh.tell()
            (footer,) = self._TRAILER.unpack(fh.read(self._TRAILER.size))
            fh.seek(footer)
            version, index = pickle.loads(fh.read(end - footer))
            if version == code_version() and isinstance(index, dict):
                self.index, self._file, self.size = index, fh, len(index)
                return
        except Exception:  # torn or foreign: every digest comes from its entry
            pass
        fh.close()

    def take(self, key: str) -> DigestArticle | None:
        """The digest stored under ``key`` (each is handed out once), else None."""
        if self.index is None:
            self._open()
        where = self.index.pop(key, None) if self.index else None
        if where is None or self._file is None:
            return None
        try:
            self._file.seek(where[0])
            digest = pickle.load(self._file)  # streamed: a huge digest is not read twice
        except Exception:
            return None
        if not isinstance(digest, DigestArticle):
            return None
        self.hits += 1
        return digest

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def stale(self, loaded: int) -> bool:
        """True when a build that loaded ``loaded`` digests should rewrite the pack."""
        if self.path is None or loaded == 0:
            return False
        if self.index is None:  # nothing was read through the pack: look at the file
            self._open()
        self.close()
        missing = loaded - self.hits
        unused = self.size - self.hits
        return missing > self.MISSING_SHARE * loaded or unused > self.UNUSED_SHARE * max(1, self.size)

    def write(self, digests: dict[str, DigestArticle]) -> None:
        """Store ``digests`` (cache key → the digest as its cache entry holds it),
        atomically: one pickle per digest, then the footer of offsets and the trailer."""
        if self.path is None:
            return
        self.close()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".tmp-", suffix=".pickle")
        try:
            with os.fdopen(fd, "wb") as fh:
                index = {}
                for key, digest in digests.items():
                    start = fh.tell()
                    # Straight to the file: a 50 MB dump's texts are not copied into a buffer.
                    pickle.dump(digest, fh, protocol=pickle.HIGHEST_PROTOCOL)
                    index[key] = (start, fh.tell() - start)
                footer = fh.tell()
                fh.write(pickle.dumps((code_version(), index), protocol=pickle.HIGHEST_PROTOCOL))
                fh.write(self._TRAILER.pack(footer))
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def output_state_path(cache_dir: str | os.PathLike, kind: str, output_path: str | os.PathLike) -> Path:
    """Where a build keeps what it wrote into one output directory (the page manifest,
    the feed keys): ``<cache_dir>/<kind>-<hash of the output path>.pickle``, so two sites
    sharing a cache directory never read each other's state."""
    out_id = hashlib.sha256(os.path.abspath(output_path).encode()).hexdigest()[:12]
    return Path(cache_dir) / f"{kind}-{out_id}.pickle"


def write_pickle_atomically(path: Path, value: Any) -> None:
    """Pickle ``value`` to ``path`` through a temporary file and ``os.replace``: readers
    (other processes, the next build) see the old file or the new one, never a torn one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".pickle")
    try:
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def run_pipeline(data: bytes, source: str, rules, sidecar: dict | None = None) -> Result:
    """``process_dump`` with a rejection returned as a value (so it can be cached)."""
    from .pipeline import process_dump

    try:
        return process_dump(data, source, rules, sidecar)
    except DumpRejected as exc:
        return Rejection(exc.reason, exc.line)


def cached_process(
    cache: PipelineCache, data: bytes, source: str, rules, sidecar: dict | None = None
) -> DigestArticle:
    """``process_dump`` through the cache: load on a hit, compute and store on a miss.

    Raises :class:`DumpRejected` for a rejected dump, exactly like ``process_dump``.
    """
    return cached_process_with_key(cache, data, source, rules, sidecar)[0]


def cached_process_with_key(
    cache: PipelineCache, data: bytes, source: str, rules, sidecar: dict | None = None
) -> tuple[DigestArticle, str]:
    """:func:`cached_process` and the result's cache key ("" when the cache is off).

    The key names the result exactly (dump bytes, path, sidecar, data files, code), so
    the page writer describes a digest by it instead of hashing the whole digest."""
    key = cache_key(data, source, rules.version, sidecar) if cache.enabled else ""
    result = cache.get(key) if cache.enabled else None
    if result is None:
        result = run_pipeline(data, source, rules, sidecar)
        cache.put(key, result)
    if isinstance(result, Rejection):
        result.raise_()
    return result, key


def stories_key(inputs: Sequence[Any], settings: Any) -> str:
    """Key of a story grouping: the code version, the story settings and every input field
    the grouping reads, in order (entity ids sorted: a frozenset's order varies by run)."""
    h = hashlib.sha256()
    h.update(code_version().encode())
    h.update(repr(settings).encode("utf-8", "surrogatepass"))
    for inp in inputs:
        row = (inp.id, inp.title, inp.outlet, inp.date, sorted(inp.entity_ids), inp.text)
        h.update(repr(row).encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    return h.hexdigest()


def stories_digests_id(pairs: Iterable[tuple[str, str]], settings: Any) -> str | None:
    """Names a story grouping by the pipeline results its inputs are read from: the code
    version, the story settings and every article's (source, pipeline cache key), sorted.

    A cache key names its dump's result exactly, and the inputs are a pure function of the
    results, so equal ids mean equal inputs: a warm build finds its grouping by this id
    without building the 10,000 inputs and hashing their text (:func:`stories_key`).
    None when a key is missing (the pipeline cache is off)."""
    rows = sorted(pairs)
    if not rows or any(not key for _, key in rows):
        return None
    h = hashlib.sha256()
    h.update(code_version().encode())
    h.update(repr(settings).encode("utf-8", "surrogatepass"))
    for source, key in rows:
        h.update(f"{source}\0{key}\0".encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def _stored_stories(directory: str | os.PathLike | None) -> tuple[str, list, str | None] | None:
    if not directory:
        return None
    try:
        with open(Path(directory) / "stories.pickle", "rb") as fh:
            stored = pickle.load(fh)
        key, stories, digests = stored if len(stored) == 3 else (*stored, None)
    except Exception:
        return None
    return (key, stories, digests) if isinstance(stories, list) else None


def load_stories(directory: str | os.PathLike | None, key: str) -> list | None:
    """The stories stored under ``key`` by the last build, or None (miss, corrupt, off).

    Only the latest grouping is kept (``stories.pickle``): grouping is global, so a
    change to any input that the grouping reads makes it a miss."""
    stored = _stored_stories(directory)
    return stored[1] if stored is not None and stored[0] == key else None


def load_stories_for_digests(directory: str | os.PathLike | None, digests: str | None) -> list | None:
    """The stored stories when they were grouped from the digests named ``digests``
    (:func:`stories_digests_id`), else None."""
    stored = _stored_stories(directory)
    return stored[1] if stored is not None and digests and stored[2] == digests else None


def save_stories(
    directory: str | os.PathLike | None, key: str, stories: list, digests: str | None = None
) -> None:
    if not directory:
        return
    write_pickle_atomically(Path(directory) / "stories.pickle", (key, stories, digests))


def stored_or_grouped_stories(
    directory: str | os.PathLike | None,
    digests: str | None,
    make_inputs: Callable[[], list],
    settings: Any,
    processes: int = 1,
) -> list:
    """The stories of this corpus: stored under the digests' id, else under the inputs'
    own key (``make_inputs`` is called only then), else grouped now; stored again under
    both, so the next build finds them by the digests' id alone."""
    from .stories import group_stories

    stories = load_stories_for_digests(directory, digests)
    if stories is None:
        inputs = make_inputs()
        key = stories_key(inputs, settings)
        stories = load_stories(directory, key)
        if stories is None:
            stories = group_stories(inputs, settings, processes)
        save_stories(directory, key, stories, digests)
    return stories
