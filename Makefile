# Cùng Học Số — two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

# pip itself, and the pip-tools that compiles the lock (its `stable` extra caps pip at a
# version it supports).
PIP_VERSION := 26.3
PIP_TOOLS := pip-tools[stable]==7.7.0

.PHONY: run test install lock migrate demo translations translations-update browser-deps clean \
	docs-screenshots loadtest bench bench-seed bench-matching

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet 'pip==$(PIP_VERSION)'

# Exactly the versions and files of requirements.lock; again whenever the lock changes.
$(VENV)/.installed: requirements.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	touch $@

install: $(VENV)/.installed translations

# Compile requirements.lock from pyproject.toml: every runtime and test dependency and theirs,
# at one version each, with the sha256 of each published file. Versions already locked are
# kept while pyproject allows them; `make lock LOCK_ARGS=--upgrade` takes the newest allowed.
# pip's machine-wide settings (other indexes, local folders) are left out so that the hashes
# are those of the files every machine downloads.
lock: | $(BIN)/python
	$(BIN)/python -m pip install --quiet '$(PIP_TOOLS)'
	env -u PIP_INDEX_URL -u PIP_EXTRA_INDEX_URL -u PIP_FIND_LINKS -u PIP_CONSTRAINT \
		PIP_CONFIG_FILE=/dev/null CUSTOM_COMPILE_COMMAND='make lock' \
		$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --extra test \
		--no-emit-index-url --no-emit-find-links --output-file requirements.lock $(LOCK_ARGS) \
		pyproject.toml

translations: $(VENV)/.installed
	$(BIN)/pybabel compile -f -d app/translations

translations-update: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o app/translations/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations --no-fuzzy-matching

migrate: install
	$(FLASK) db upgrade

demo: migrate
	$(FLASK) seed-demo --if-empty

run: demo
	@$(FLASK) demo-logins
	$(FLASK) run --host $(HOST) --port $(PORT)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The user guide's pictures (docs/huong-dan/anh/): the browser journeys photograph each step
# into artifacts/screenshots/, then the chosen ones are copied under stable names. Needs
# Debian's Chromium (make browser-deps); CI=true makes the journeys fail rather than skip
# without it.
DOCS_SCREENSHOT_TESTS := tests/browser/test_journeys.py tests/browser/test_register_volunteer.py \
	tests/browser/test_login.py
docs-screenshots: install
	CI=true $(BIN)/python -m pytest -q -m "browser and not clock" $(DOCS_SCREENSHOT_TESTS)
	$(BIN)/python docs/huong-dan/update_images.py

# Debian's Chromium, which the browser tests drive (as root; never a downloaded browser), and
# the colour emoji font phones have, so that the topics' icons show in the screenshots.
EMOJI_FONT := /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf
browser-deps:
	@test -x /usr/bin/chromium -a -e $(EMOJI_FONT) || \
		(apt-get update && apt-get install -y chromium fonts-noto-color-emoji)

# Not part of `make test`: gunicorn on a scratch PostgreSQL database, loopback only.
loadtest: install
	$(BIN)/python bench/loadtest.py $(LOADTEST_ARGS)

# Benchmarks (by hand, not part of `make test`): see bench/README.md. Results: bench/RESULTS.md.
BENCH_PROFILE ?= district
BENCH_SQLITE ?= sqlite:///$(CURDIR)/bench/out/bench-$(BENCH_PROFILE).sqlite3
BENCH_POSTGRES ?= postgresql://postgres@127.0.0.1:5432/chs_bench_scale
BENCH_DBS = --db $(BENCH_SQLITE) --db $(BENCH_POSTGRES)
# The batch matching benchmark has its own databases, holding the `ward` profile.
BENCH_MATCHING_SQLITE ?= sqlite:///$(CURDIR)/bench/out/bench-ward.sqlite3
BENCH_MATCHING_POSTGRES ?= postgresql://postgres@127.0.0.1:5432/chs_bench_matching

bench: install
	$(BIN)/python -m bench.seed ensure --profile $(BENCH_PROFILE) $(BENCH_DBS)
	$(BIN)/python -m bench.latency $(BENCH_DBS)
	$(BIN)/python -m bench.throughput --db $(BENCH_POSTGRES)
	$(BIN)/python -m bench.page_weight --db $(BENCH_SQLITE)
	$(BIN)/python -m bench.matching --db $(BENCH_MATCHING_SQLITE) --db $(BENCH_MATCHING_POSTGRES)
	$(BIN)/python -m bench.report

# Batch matching alone: a ward with 2,000 open requests and 500 volunteers (seeded if empty).
bench-matching: install
	$(BIN)/python -m bench.matching --db $(BENCH_MATCHING_SQLITE) --db $(BENCH_MATCHING_POSTGRES)
	$(BIN)/python -m bench.report

# Recreates the benchmark databases and times seed-scale on each.
bench-seed: install
	$(BIN)/python -m bench.seed time --profile $(BENCH_PROFILE) $(BENCH_DBS)
	$(BIN)/python -m bench.report

clean:
	rm -rf $(VENV) .pytest_cache
