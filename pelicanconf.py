"""Pelican settings for the news-digest demo site (development: relative URLs)."""

# No AUTHOR: a dump's byline is its author (article.digest.meta.byline), and a site-wide
# default author would make Pelican file all 10,000 articles under one author page
# (an O(N²) membership scan in generate_authors) that this site never writes.
SITENAME = "Điểm tin"
SITENAME_EN = "News Digest"
SITEURL = ""

PATH = "content"
# Every dump anywhere under content/ is read, except editors' translation sidecars.
ARTICLE_PATHS = [""]
ARTICLE_EXCLUDES = ["translations", "pages"]
PAGE_PATHS = ["pages"]
STATIC_PATHS = []

TIMEZONE = "Asia/Ho_Chi_Minh"
DEFAULT_LANG = "vi"
DEFAULT_DATE_FORMAT = "%d/%m/%Y"

PLUGIN_PATHS = ["plugins"]
PLUGINS = ["news_digest"]
THEME = "themes/digest"
# autoescape: every dump-derived string is escaped by Jinja; article bodies are built
# escaped by the plugin (render.py) and marked safe in the template.
JINJA_ENVIRONMENT = {
    "extensions": ["jinja2.ext.i18n"],
    "trim_blocks": True,
    "lstrip_blocks": True,
    "autoescape": True,
}

# One directory per page: clean URLs that also work when served as plain files.
ARTICLE_URL = "articles/{slug}/"
ARTICLE_SAVE_AS = "articles/{slug}/index.html"
ARTICLE_LANG_URL = "{lang}/articles/{slug}/"
ARTICLE_LANG_SAVE_AS = "{lang}/articles/{slug}/index.html"
# news-digest pairs every dump with its English edition itself. Pelican's own pairing
# (by a metadata key) has nothing to pair among the dumps, all Vietnamese originals, and
# checks every article against the list of all others: ~1 s of a 10,000-dump build.
ARTICLE_TRANSLATION_ID = None
ARCHIVES_SAVE_AS = "archives/index.html"
ARCHIVES_URL = "archives/"

# Pelican's own taxonomy pages are replaced by news-digest's topic/entity/date pages.
# Home and archives are written per edition by news-digest (DigestGenerator.write_listings).
DIRECT_TEMPLATES = []
TAGS_SAVE_AS = TAG_SAVE_AS = ""
CATEGORIES_SAVE_AS = CATEGORY_SAVE_AS = ""
AUTHORS_SAVE_AS = AUTHOR_SAVE_AS = ""
PAGE_SAVE_AS = "pages/{slug}/index.html"
PAGE_URL = "pages/{slug}/"

FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None

DEFAULT_PAGINATION = 20
RELATIVE_URLS = True
CACHE_CONTENT = False

# news-digest settings (see README for all NEWS_DIGEST_* and their defaults).
NEWS_DIGEST_LANGUAGES = ["vi", "en"]
NEWS_DIGEST_TRANSLATIONS_DIR = "translations"
NEWS_DIGEST_MT_MODEL = None
