"""A corpus of malformed dumps, generated here (nothing large is committed), built by Pelican.

For every input: the build finishes; the dump is published (escaped, safe and unique slug)
or rejected with a reason in report.json and on the report page; nothing is written
outside output/; the report has exactly one entry per input file.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import struct
import subprocess
import sys
import textwrap
import time
import uuid
import zlib
from pathlib import Path

import pytest
from conftest import DUMPS, REPO, build_site
from news_digest.decode import cp1252_view, legacy_tables
from news_digest.slugs import is_safe_slug

SEED = (DUMPS / "004_f1c2a3039ebafd8a.txt").read_text(encoding="utf-8")
SEED2 = (DUMPS / "002_1d216cd8c5788951.txt").read_text(encoding="utf-8")
ABS_TARGET = Path("/tmp") / f"news-digest-escape-{uuid.uuid4().hex}"

#: An anchors/aliases bomb: 9 levels of 9 references, 9^9 (387 million) strings if walked.
ALIAS_BOMB = (
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(8)
    )
    + "title: *i\ndate: *i\n"
)


def png_bytes(seed: int = 0, size: int = 64) -> bytes:
    """A real PNG image (random pixels) with its chunks and CRCs."""
    rng = random.Random(seed)
    raw = b"".join(b"\x00" + rng.randbytes(size * 3) for _ in range(size))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    )


def _plain(text: str) -> str:
    return text.replace("“", '"').replace("”", '"').replace("–", "-")


def malformed_corpus() -> dict[str, bytes | str]:
    """name → bytes of every malformed input (small ones; the 50 MB dump is separate)."""
    tables = {t.name: t for t in legacy_tables()}
    nul = SEED2.encode("utf-8")
    return {
        "dumps/empty.txt": b"",
        "dumps/whitespace.txt": b"  \n\t\n   \r\n\n",
        "dumps/image.txt": png_bytes(),
        "dumps/nul-bytes.txt": nul[:200] + b"\x00" + nul[200:900] + b"\x00\x00" + nul[900:],
        "dumps/one-5mb-line.txt": ("Tin " + "dài" * 1_700_000).encode("utf-8"),
        "dumps/pipes-5mb-line.txt": ("| " * 2_500_000 + "x").encode("utf-8"),
        "dumps/only-boilerplate.txt": "Tin liên quan\n\nTin cùng chuyên mục\n- Một tin khác\n- Tin thứ hai\n",
        "dumps/html-script.txt": (
            "Tiêu đề <script>alert('tiêu đề')</script>\n\n"
            "Đoạn <b>văn</b> & <img src=x onerror=alert(1)> có thẻ HTML.\n"
            '<script type="text/javascript">document.write("x")</script>\n'
            '</p></div><a href="javascript:alert(2)">bấm</a> vào đây.\n'
        ),
        "dumps/slug-traversal.txt": (
            "Title: Tin thử đường dẫn\nSlug: ../../../escaped-slug\nSave_as: ../../../escaped.html\n\n"
            "Một đoạn văn bản đủ dài để được đăng.\n"
        ),
        "dumps/slug-absolute.txt": (
            f"Title: Tin thử tuyệt đối\nSlug: {ABS_TARGET}\nSave_as: {ABS_TARGET}/index.html\n"
            f"Url: {ABS_TARGET}\n\nMột đoạn văn bản khác đủ dài để được đăng.\n"
        ),
        "dumps/bomb.txt": "Tin có tệp phụ độc hại\n\nMột đoạn văn bản bình thường.\n",
        "dumps/bomb.meta.yaml": ALIAS_BOMB,
        "dumps/clash-a.txt": "Tin trùng tên\n\nMột đoạn văn bản thứ nhất.\n",
        "dumps/clash-b.txt": "Tin trùng tên\n\nMột đoạn văn bản thứ hai.\n",
        "dumps/clash-c.txt": "Tin   TRÙNG tên!\n\nMột đoạn văn bản thứ ba.\n",
        "dumps/vanishes.txt": "Tin sẽ biến mất\n\nMột đoạn văn bản bị xoá trong khi dựng trang.\n",
        # Encodings: each must be detected and published as the same Vietnamese text.
        "dumps/enc-tcvn3.txt": tables["tcvn3"].encode(_plain(SEED)),
        "dumps/enc-vni.txt": tables["vni"].encode(_plain(SEED)),
        "dumps/enc-utf16.txt": b"\xff\xfe" + SEED.encode("utf-16-le"),
        "dumps/enc-mojibake.txt": cp1252_view(SEED.encode("utf-8")).encode("utf-8"),
        "dumps/good.txt": SEED,
    }


def tree_snapshot(root: Path, skip: Path) -> dict[str, str]:
    """Every path under ``root`` (except ``skip``) with a hash of its bytes."""
    snap = {}
    for dirpath, dirnames, filenames in os.walk(root):
        if Path(dirpath) == skip or skip in Path(dirpath).parents:
            dirnames[:] = []
            continue
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            if p.is_symlink() or not p.is_file():
                snap[str(p)] = "dir-or-link"
            else:
                snap[str(p)] = hashlib.sha1(p.read_bytes()).hexdigest()
    return snap


def count_inputs(content: Path) -> int:
    return sum(len(files) for _, _, files in os.walk(content))


def _delete_on_preread(target: Path):
    def handler(sender):
        if target.exists():
            target.unlink()

    return handler


@pytest.fixture(scope="module")
def corpus_build(tmp_path_factory):
    """Build the malformed corpus; output is three levels deep so ../../ lands in tmp_path."""
    from pelican import signals

    tmp_path = tmp_path_factory.mktemp("malformed")
    content = tmp_path / "content"
    for name, data in malformed_corpus().items():
        path = content / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    # Unreadable inputs (tests run as root, so chmod 000 would not stop a read):
    (content / "dumps" / "dangling.txt").symlink_to(tmp_path / "no-such-file.txt")
    (content / "dumps" / "a-directory.txt").mkdir()
    (content / "dumps" / "a-directory.txt" / "inside.txt").write_text("Tin trong thư mục\n\nMột đoạn.\n")
    n_inputs = count_inputs(content)
    output = tmp_path / "deep" / "deeper" / "output"
    output.mkdir(parents=True)
    before = tree_snapshot(tmp_path, skip=output)
    handler = _delete_on_preread(content / "dumps" / "vanishes.txt")
    signals.article_generator_preread.connect(handler)
    try:
        build_site(content, output)
    finally:
        signals.article_generator_preread.disconnect(handler)
    after = tree_snapshot(tmp_path, skip=output)
    return content, output, n_inputs, before, after


def test_malformed_corpus_builds_and_every_input_is_accounted_for(corpus_build):
    content, out, n_inputs, before, after = corpus_build
    report = json.loads((out / "report" / "report.json").read_text(encoding="utf-8"))
    entries = {e["source"]: e for e in report["entries"]}
    page = (out / "report" / "index.html").read_text(encoding="utf-8")

    # One entry per input file (the vanished one included), and the counts add up.
    assert len(report["entries"]) == report["counts"]["total"] == n_inputs
    published = {s for s, e in entries.items() if e["status"].startswith("published")}
    rejected = {s for s, e in entries.items() if e["status"] == "rejected"}
    for source, entry in entries.items():
        assert entry["status"] in ("published", "published-with-warnings", "rejected", "used"), entry
        if entry["status"] == "rejected":
            assert entry["reason"], entry
        assert "internal error" not in entry["reason"], entry  # a crash caught by the reader
        assert source in page, f"{source} missing from the report page"

    def reason(src):
        return entries[src]["reason"]

    assert "empty" in reason("dumps/empty.txt")
    assert "whitespace only" in reason("dumps/whitespace.txt")
    assert "binary" in reason("dumps/image.txt")
    assert "no article text" in reason("dumps/only-boilerplate.txt")
    for src in ("dumps/one-5mb-line.txt", "dumps/pipes-5mb-line.txt"):
        assert "characters long" in reason(src) and entries[src]["line"] == 1
    assert "bomb.meta.yaml" in reason("dumps/bomb.txt") and "alias" in reason("dumps/bomb.txt")
    assert entries["dumps/bomb.meta.yaml"]["status"] == "rejected"
    assert "cannot read file dumps/dangling.txt" in reason("dumps/dangling.txt")
    assert "cannot read file dumps/vanishes.txt" in reason("dumps/vanishes.txt")
    assert not (content / "dumps" / "vanishes.txt").exists()
    assert "NUL" in reason("dumps/nul-bytes.txt")
    assert rejected == {
        "dumps/empty.txt",
        "dumps/whitespace.txt",
        "dumps/image.txt",
        "dumps/one-5mb-line.txt",
        "dumps/pipes-5mb-line.txt",
        "dumps/only-boilerplate.txt",
        "dumps/bomb.txt",
        "dumps/bomb.meta.yaml",
        "dumps/dangling.txt",
        "dumps/vanishes.txt",
    }

    crashes = sum("internal error" in e["reason"] for e in entries.values())
    print(
        f"malformed corpus: {n_inputs} inputs, {len(published)} published, "
        f"{len(rejected)} rejected, {crashes} crashes"
    )

    # Encodings found are in the report.
    assert entries["dumps/enc-tcvn3.txt"]["details"]["encoding"] == "tcvn3"
    assert entries["dumps/enc-vni.txt"]["details"]["encoding"] == "vni"
    assert entries["dumps/enc-utf16.txt"]["details"]["encoding"] == "utf-16-le (BOM)"
    assert entries["dumps/enc-mojibake.txt"]["details"]["encoding"].startswith("utf-8 mojibake")
    assert entries["dumps/good.txt"]["details"]["encoding"] == "utf-8"

    # Published: safe, unique slugs whose pages exist inside output/.
    slugs = [entries[s]["slug"] for s in published]
    assert len(slugs) == len(set(slugs)) == len(published)
    for s in published:
        assert is_safe_slug(entries[s]["slug"]), entries[s]
        assert (out / "articles" / entries[s]["slug"] / "index.html").is_file()
    clash = sorted(entries[f"dumps/clash-{c}.txt"]["slug"] for c in "abc")
    assert clash[0] == "tin-trung-ten" and all(s.startswith("tin-trung-ten-") for s in clash[1:])
    assert "save_as" in reason("dumps/slug-traversal.txt")

    # The same Vietnamese text whatever the encoding it came in.
    good = (out / "articles" / entries["dumps/good.txt"]["slug"] / "index.html").read_text()
    assert "Thủ tướng Nhật Bản" in good
    for enc in ("utf16", "mojibake"):
        assert entries[f"dumps/enc-{enc}.txt"]["title"] == entries["dumps/good.txt"]["title"]


def test_malformed_corpus_escapes_and_writes_nothing_outside_output(corpus_build):
    content, out, n_inputs, before, after = corpus_build
    changed = {p for p in set(before) | set(after) if before.get(p) != after.get(p)}
    # The only change outside output/ is the dump the test itself deleted mid-build.
    assert changed == {str(content / "dumps" / "vanishes.txt")}
    assert not ABS_TARGET.exists()
    print(
        f"malformed corpus: {len(changed - {str(content / 'dumps' / 'vanishes.txt')})} writes outside output/"
    )
    for path in out.rglob("*"):
        assert path.resolve().is_relative_to(out.resolve()), path
        assert path.name != "escaped.html"  # save_as from a dump is never honoured
    for page in list(out.rglob("*.html")) + list(out.rglob("*.xml")):
        text = page.read_text(encoding="utf-8")
        assert "<script>alert" not in text and "<img src=x" not in text, page
        assert "alert('tiêu đề')</script>" not in text, page
        assert 'document.write("x")</script>' not in text, page
    report_page = (out / "report" / "index.html").read_text(encoding="utf-8")
    assert "<script>" not in report_page


def _build_in_subprocess(content: Path, output: Path) -> tuple[float, float]:
    """Build in a child process; returns (peak RSS of the child and of the processes it
    waited for, in MB, seconds).

    The child reports its own figure: this process's RUSAGE_CHILDREN is the largest of
    every child it ever reaped, including workers forked by earlier tests' builds, which
    start with this (larger) process's memory."""
    code = textwrap.dedent(
        f"""
        import resource, sys
        sys.path.insert(0, {str(REPO / "tests")!r})
        from pathlib import Path
        from conftest import build_site
        build_site(Path({str(content)!r}), Path({str(output)!r}))
        peak = max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
        print("PEAK_KB", peak)
        """
    )
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert proc.returncode == 0, proc.stderr[-3000:]
    peak_kb = int(proc.stdout.split("PEAK_KB")[-1].split()[0])
    return peak_kb / 1024, time.monotonic() - start


#: Peak RSS allowed for a build whose content holds a 50 MB dump. The pipeline keeps
#: one Line per line (~300k here) and Pelican the article's HTML; measured ~520 MB.
MAX_RSS_MB_50MB_DUMP = 640


@pytest.mark.slow
def test_50mb_dump_is_published_with_bounded_memory(tmp_path):
    # The seed's article paragraphs (before the follow-us line); its related-card teasers
    # would rightly be dropped as noise by the cleaner.
    body = [ln for ln in SEED2.split("Mời quý độc giả")[0].splitlines()[1:] if len(ln) > 80]
    content = tmp_path / "content" / "dumps"
    content.mkdir(parents=True)
    size, n = 0, 0
    with open(content / "big.txt", "w", encoding="utf-8") as f:
        f.write("Bản tin rất dài\n\n")
        while size < 50 * 1024 * 1024:
            line = f"{body[n % len(body)]} (đoạn {n})\n"
            f.write(line)
            size += len(line.encode("utf-8"))
            n += 1
    output = tmp_path / "output"
    peak_mb, seconds = _build_in_subprocess(tmp_path / "content", output)
    print(f"50 MB dump: peak RSS {peak_mb:.0f} MB, {seconds:.1f} s")
    assert peak_mb < MAX_RSS_MB_50MB_DUMP, f"peak RSS {peak_mb:.0f} MB"
    report = json.loads((output / "report" / "report.json").read_text(encoding="utf-8"))
    (entry,) = report["entries"]
    assert entry["status"].startswith("published"), entry
    page = output / "articles" / entry["slug"] / "index.html"
    assert page.stat().st_size > 40 * 1024 * 1024
