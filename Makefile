# news-digest: `make html` builds the demo site, `make test` runs the tests.
# Both set everything up on a fresh clone (virtualenv + editable install).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
PELICAN_OPTS ?=

NPM    ?= npm
AXE    := node_modules/axe-core/axe.min.js

.PHONY: install html publish test test-fast lint clean serve catalogs extract-messages bench bench-build bench-ab bench-stories search-index test-tools system-tools

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test,dev,mt,mt-test,dask]'
	touch $(STAMP)

install: $(STAMP)

# UI strings: templates → messages.pot → {vi,en}/LC_MESSAGES/messages.po (committed);
# .mo files are built here (gitignored) before every build and test run.
CATALOGS := themes/digest/translations
MO_FILES := $(CATALOGS)/vi/LC_MESSAGES/messages.mo $(CATALOGS)/en/LC_MESSAGES/messages.mo

$(CATALOGS)/%/LC_MESSAGES/messages.mo: $(CATALOGS)/%/LC_MESSAGES/messages.po $(STAMP)
	$(BIN)/pybabel compile -D messages -d $(CATALOGS) -l $*

catalogs: $(MO_FILES)

extract-messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg --no-location --sort-output -o $(CATALOGS)/messages.pot themes/digest/templates
	$(BIN)/pybabel update -D messages -i $(CATALOGS)/messages.pot -d $(CATALOGS) --no-fuzzy-matching

html: $(STAMP) catalogs
	$(BIN)/pelican content -s pelicanconf.py -o output $(PELICAN_OPTS)

publish: $(STAMP) catalogs
	$(BIN)/pelican content -s publishconf.py -o output $(PELICAN_OPTS)

# The static Pagefind index of each edition (output/pagefind/, output/en/pagefind/):
# the build makes it (NEWS_DIGEST_SEARCH_INDEX); this target only re-indexes output/.
search-index: $(STAMP)
	$(BIN)/python -m news_digest.search output

# What the browser, HTML-validity and accessibility tests need beyond the virtualenv:
# Debian's Chromium and a Java runtime (for the Nu Html Checker), installed only when
# missing (apt-get update once), and axe-core from npm into ./node_modules (lockfile).
test-tools: system-tools $(AXE)

system-tools:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v java >/dev/null 2>&1 || missing="$$missing default-jre-headless"; \
	command -v npm >/dev/null 2>&1 || missing="$$missing nodejs npm"; \
	if [ -n "$$missing" ]; then \
	  if ! command -v apt-get >/dev/null 2>&1; then \
	    echo "make test-tools: missing$$missing and apt-get is not available: install them by hand" >&2; exit 1; \
	  fi; \
	  sudo=""; [ "$$(id -u)" = 0 ] || sudo="sudo"; \
	  echo "make test-tools: installing$$missing with apt-get"; \
	  $$sudo apt-get update && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y$$missing; \
	fi

$(AXE): package.json package-lock.json | system-tools
	$(NPM) ci --no-audit --no-fund
	touch $@

serve: html
	$(BIN)/pelican --listen -o output -b 127.0.0.1

test: $(STAMP) catalogs test-tools
	$(BIN)/python -m pytest -q

test-fast: $(STAMP) catalogs
	$(BIN)/python -m pytest -q -m "not slow"

# Longer property/fuzz run of the pure stages (5,000 examples per property).
.PHONY: fuzz
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest -q tests/test_properties.py

lint: $(STAMP)
	$(BIN)/ruff check plugins tests pelicanconf.py publishconf.py

clean:
	rm -rf output cache .pytest_cache test-artifacts

# Benchmarks (not part of `make test`), with the `bench` extra installed. Each prints
# ratios measured in the same run. BENCH_N dumps for the build benchmark (10000 for the
# published figures), BENCH_REPEAT builds per figure (minimum taken).
BENCH_N ?= 1000
BENCH_REPEAT ?= 1
BENCH_STAMP := $(VENV)/.bench-stamp
# bench-ab: warm builds of the working tree against BENCH_BASELINE (a git revision),
# BENCH_PAIRS alternating pairs; BENCH_AB_OPTS=--change makes each a one-dump change.
BENCH_BASELINE ?= HEAD
BENCH_PAIRS ?= 5
BENCH_AB_OPTS ?=

$(BENCH_STAMP): $(STAMP) pyproject.toml
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test,dev,bench,dask]'
	touch $(BENCH_STAMP)

bench: bench-clean bench-taxonomy bench-stories bench-build

# Cleaning: ours vs trafilatura vs jusText on the same dumps (F1, ms per dump, ratios).
bench-clean: $(BENCH_STAMP) catalogs
	$(BIN)/python tests/bench/bench_clean.py

# Entity linking / topic scoring throughput; one-pass date index vs per-period scans.
bench-taxonomy: $(BENCH_STAMP)
	$(BIN)/python tests/bench/bench_taxonomy.py

# Stories: group_stories on 10,000 synthetic articles (seconds and P/R/F1).
bench-stories: $(BENCH_STAMP)
	$(BIN)/python tests/bench/bench_stories.py

# Full build vs stock Pelican, incremental vs full, peak RSS (BENCH_N dumps).
bench-build: $(BENCH_STAMP) catalogs
	$(BIN)/python tests/bench/bench_build.py --n $(BENCH_N) --repeat $(BENCH_REPEAT)

# Warm builds: this checkout (uncommitted changes included) against BENCH_BASELINE.
bench-ab: $(BENCH_STAMP) catalogs
	$(BIN)/python tests/bench/bench_ab.py --baseline $(BENCH_BASELINE) --n $(BENCH_N) --pairs $(BENCH_PAIRS) $(BENCH_AB_OPTS)
