"""Turn cleaned lines into HTML. Every piece of dump text is escaped here, once."""

from __future__ import annotations

from html import escape

from .model import DigestArticle, Line, LineLabel

_CLASS = {
    LineLabel.BYLINE: "byline",
    LineLabel.CAPTION: "caption",
    LineLabel.CREDIT: "credit",
}


def line_html(line: Line) -> str:
    text = escape(line.text.strip(), quote=True)
    if line.label is LineLabel.CAPTION:
        return f'<figure class="caption"><figcaption>{text}</figcaption></figure>'
    cls = _CLASS.get(line.label)
    return f'<p class="{cls}">{text}</p>' if cls else f"<p>{text}</p>"


def article_html(article: DigestArticle) -> str:
    """The article's kept lines below the title, as escaped paragraphs."""
    packed = article.packed_text("html")
    if packed is not None:
        return packed
    return "\n".join(line_html(ln) for ln in article.body_lines)


def paragraphs_html(paragraphs: list[str]) -> str:
    return "\n".join(f"<p>{escape(p.strip(), quote=True)}</p>" for p in paragraphs if p.strip())


#: Longest summary (characters), cut at a word boundary.
SUMMARY_MAX_CHARS = 280


def summary_text(article: DigestArticle, max_chars: int = SUMMARY_MAX_CHARS) -> str:
    """First body paragraph, cut at a word boundary (plain text, escape when rendering)."""
    # The packed summary was cut at the default length.
    packed = article.packed_text("summary") if max_chars == SUMMARY_MAX_CHARS else None
    if packed is not None:
        return packed
    first = next((ln.text.strip() for ln in article.body_lines if ln.label is LineLabel.BODY), "")
    if len(first) <= max_chars:
        return first
    cut = first[:max_chars].rsplit(" ", 1)[0]
    return cut + " …"
