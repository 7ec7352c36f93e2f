"""UI strings through gettext, one Jinja environment serving both editions.

Templates call ``_()`` / ``{% trans %}``; the callables installed here look up the
language of the page being rendered (``page_lang`` in the context, else the article's
``lang``, else DEFAULT_LANG) and use that language's compiled catalog.
"""

from __future__ import annotations

import datetime as _dt
import gettext as _gettext
from functools import lru_cache
from pathlib import Path

from jinja2 import pass_context
from markupsafe import Markup

DOMAIN = "messages"


@lru_cache(maxsize=32)
def catalog(localedir: str, lang: str) -> _gettext.NullTranslations:
    return _gettext.translation(DOMAIN, localedir=localedir, languages=[lang], fallback=True)


def current_lang(context) -> str:
    lang = context.get("page_lang")
    if lang:
        return lang
    article = context.get("article")
    if article is not None and getattr(article, "lang", None):
        return article.lang
    return context.get("DEFAULT_LANG") or "vi"


def install(env, localedir: str | Path) -> None:
    """Install language-aware gettext callables on a Jinja environment.

    They behave like Jinja's "newstyle" gettext (the message is a %-format string, escaped
    when autoescaping, with keyword variables), but a message without variables is looked
    up and formatted once per language: a 10,000-dump site calls ``_()`` over a million
    times, and Jinja's own wrapper makes a Markup object and formats it on every call.
    """
    localedir = str(localedir)
    formatted: dict[tuple[str, bool, str], str] = {}

    def _format(message: str, autoescape: bool, variables: dict) -> str:
        return (Markup(message) if autoescape else message) % variables

    @pass_context
    def gettext(context, message: str, **variables) -> str:
        lang = current_lang(context)
        autoescape = context.eval_ctx.autoescape
        if variables:
            return _format(catalog(localedir, lang).gettext(message), autoescape, variables)
        key = (lang, autoescape, message)
        result = formatted.get(key)
        if result is None:
            result = formatted[key] = _format(catalog(localedir, lang).gettext(message), autoescape, {})
        return result

    @pass_context
    def ngettext(context, singular: str, plural: str, num: int, **variables) -> str:
        variables.setdefault("num", num)
        text = catalog(localedir, current_lang(context)).ngettext(singular, plural, num)
        return _format(text, context.eval_ctx.autoescape, variables)

    if "jinja2.ext.InternationalizationExtension" not in env.extensions:
        env.add_extension("jinja2.ext.i18n")
    # newstyle=True makes {% trans %} blocks pass their variables to gettext as keywords;
    # then our callables replace Jinja's wrappers (and "_", which would look gettext up
    # in the context on every call).
    env.install_gettext_callables(gettext, ngettext, newstyle=True)
    env.globals.update(gettext=gettext, ngettext=ngettext, _=gettext)
    env.globals["localized"] = localized
    env.globals["site_name"] = site_name
    env.filters["localized"] = localized
    env.filters["format_date"] = format_date


def pick_name(obj, lang: str, field: str = "name", default_lang: str = "vi") -> str:
    """``obj.name`` in the default language, ``obj.name_<lang>`` (e.g. ``name_en``) in
    another, falling back to ``name``. Works on objects and dicts (YAML entries).

    >>> pick_name({"name": "Quốc phòng", "name_en": "Defence"}, "en")
    'Defence'
    """

    def get(key):
        return obj.get(key) if isinstance(obj, dict) else getattr(obj, key, None)

    if lang and lang != default_lang:
        value = get(f"{field}_{lang}")
        if value:
            return value
    return get(field) or ""


@pass_context
def localized(context, obj, field: str = "name") -> str:
    """Jinja: ``{{ outlet | localized }}`` / ``{{ localized(topic) }}`` picks the name in
    the page's language (``name`` / ``name_en``) — for outlets, topics, entities."""
    return pick_name(obj, current_lang(context), field, context.get("DEFAULT_LANG") or "vi")


@pass_context
def site_name(context) -> str:
    """SITENAME in the default edition, SITENAME_<LANG> (e.g. SITENAME_EN) in others."""
    lang = current_lang(context)
    default = context.get("DEFAULT_LANG") or "vi"
    if lang != default:
        return context.get(f"SITENAME_{lang.upper()}") or context.get("SITENAME", "")
    return context.get("SITENAME", "")


@lru_cache(maxsize=16384)
def _format_day(day: _dt.date, fmt: str, lang: str) -> str:
    from babel.dates import format_date as babel_format_date

    return babel_format_date(day, format=fmt, locale=lang)


def format_day(value, lang: str, fmt: str = "long") -> str:
    """A date (or the day of a datetime) in ``lang``: "1 tháng 6, 2023" / "June 1, 2023".

    Memoized: a site has a few thousand distinct days and formats each on many pages
    (every article, card and list); a Babel call took ~50 µs under the profiler."""
    if isinstance(value, _dt.datetime):
        value = value.date()
    if isinstance(value, _dt.date):
        return _format_day(value, fmt, lang)
    from babel.dates import format_date as babel_format_date

    return babel_format_date(value, format=fmt, locale=lang)


@pass_context
def format_date(context, value, fmt: str = "long") -> str:
    """Jinja: ``{{ article.date | format_date }}`` → "1 tháng 6, 2023" / "June 1, 2023"."""
    return format_day(value, current_lang(context), fmt)
