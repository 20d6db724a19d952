# Cùng Học Số — two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install migrate demo translations translations-update browser-deps clean loadtest

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall whenever pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet '.[test]'
	touch $@

install: $(VENV)/.installed translations

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

# Debian's Chromium, which the browser tests drive (as root; never a downloaded browser).
browser-deps:
	@test -x /usr/bin/chromium || (apt-get update && apt-get install -y chromium)
# Not part of `make test`: gunicorn on a scratch PostgreSQL database, loopback only.
loadtest: install
	$(BIN)/python bench/loadtest.py $(LOADTEST_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache
