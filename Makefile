# The two commands: `make book` and `make test`. Everything they need is installed here.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
HTML   := _build/html

# The course's matrices are tiny: BLAS threads only add overhead on them (and fight over 2 cores).
export OPENBLAS_NUM_THREADS := 1
export OMP_NUM_THREADS := 1

.PHONY: book catalogues test test-fast lint setup serve bench audit clean

## make book: install what is missing, then build the site (warnings are errors): the English
## edition at its root, the Chinese one under zh/. Each edition executes its chapters in its
## language into its own cache, then Sphinx builds its site from it (tools/build.py).
book: setup _build/.package-stamp
	$(PY) tools/build.py
	@echo "The site is at $(CURDIR)/$(HTML)/index.html (make serve serves it as GitHub Pages does)"

## make catalogues: the prose of the pages and the texts of the outputs, merged into the
## translations' catalogues (locales/<language>/LC_MESSAGES/), for a translator to update
catalogues: book
	$(PY) tools/catalogues.py

## make test: install what is missing, check the style (a lint failure fails the test command),
## then run every test: the package, the book (they build it), the site in Chromium, and every
## chapter again under two foreign floating-point paths (tests/test_fp_paths.py)
test: setup lint
	$(PY) -m pytest

## make test-fast: the package's tests alone, while editing it, on every core: no book, no
## browser (the site, JupyterLab), no foreign floating-point paths. `make test` runs them all.
test-fast: setup
	$(PY) -m pytest -m "not book and not browser and not fp_paths and not binder" -n auto --dist loadfile

## make lint: ruff's lint and format checks (configured in pyproject.toml)
lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

setup: $(VENV)/.installed _vendor/.installed

# The execution caches know the chapters' text, not the package they import: when it changes, drop
# them and the memory of training runs, so every chapter runs again with it (a changed translation
# of a figure's text re-runs only the chapters that drew it: tools/build.py).
_build/.package-stamp: $(wildcard src/backprop/*.py) $(wildcard src/backprop/data/*)
	rm -rf _build/*/jupyter_cache _build/memory
	mkdir -p _build && touch $@

$(VENV)/.installed: requirements.txt requirements-dev.txt constraints.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -r requirements-dev.txt -c constraints.txt
	touch $@

# The browser assets the site serves itself (no CDN): pinned in package.json / package-lock.json.
# MathJax typesets the math into MathML at build time (_ext/typeset.py), which also cuts the math
# font down to the site's characters: the site serves no MathJax file.
_vendor/.installed: package.json package-lock.json tools/icons.py $(VENV)/.installed
	npm ci --no-audit --no-fund --ignore-scripts
	rm -rf _vendor && mkdir -p _vendor/widgets
	cp node_modules/@jupyter-widgets/html-manager/dist/embed.js \
	   node_modules/@jupyter-widgets/html-manager/dist/*.woff* \
	   node_modules/@jupyter-widgets/html-manager/dist/*.ttf \
	   node_modules/@jupyter-widgets/html-manager/dist/*.eot \
	   node_modules/@jupyter-widgets/html-manager/dist/*.svg _vendor/widgets/
	$(PY) tools/icons.py _vendor/icons
	touch $@

## make serve: the site as GitHub Pages serves it (under its path, gzipped, its 404 page for a
## missing address) on http://127.0.0.1:8000 (tools/sitetools.py)
serve: book
	$(PY) tools/sitetools.py 8000

bench: setup
	$(PY) bench/run.py

## make audit: Lighthouse (pinned in bench/audit/package.json, installed there for this alone)
## over a page of each kind in both editions, served as GitHub Pages serves them, with its mobile
## defaults: the scores in bench/lighthouse.json and bench/lighthouse.md (bench/audit.py)
audit: book bench/audit/node_modules/.installed
	$(PY) bench/audit.py

bench/audit/node_modules/.installed: bench/audit/package.json bench/audit/package-lock.json
	cd bench/audit && npm ci --no-audit --no-fund
	touch $@

clean:
	rm -rf _build zh  # zh/: the Chinese notebooks postBuild writes (tools/binder.py)
