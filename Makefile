# The two commands that matter: `make run` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
HOST ?= 127.0.0.1

.PHONY: run test install system-deps test-system-deps messages makemessages migrate demo worker lint format migrations-check lock bench clean

run: install system-deps messages migrate demo ## set everything up and serve the demo at http://127.0.0.1:8000
	@site=$${SITE_URL:-http://$(HOST):$(PORT)}; \
	  DEBUG=1 SITE_URL=$$site $(PY) manage.py worker --queue-name '*' & worker=$$!; \
	  DEBUG=1 SITE_URL=$$site $(PY) manage.py runserver $(HOST):$(PORT) & server=$$!; \
	  trap 'kill $$worker $$server 2>/dev/null' EXIT INT TERM; \
	  $(PY) bin/wait-until-up http://$(HOST):$(PORT)/accounts/login/ && \
	  echo "Serving on http://$(HOST):$(PORT)/ (certificates link to $$site) — sign in as employee, unitadmin, trainer or admin (password: awareness-demo)"; \
	  wait $$server

test: install test-system-deps messages lint migrations-check ## install what the tests need and run them all
	$(PY) -m pytest

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	@bin/system-deps --build
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -c constraints.txt -e ".[dev,bench]"
	@touch $@

system-deps:
	@bin/system-deps

test-system-deps:
	@bin/system-deps --test

messages: install ## compile the interface translations (locale/*/LC_MESSAGES/django.po)
	DEBUG=1 $(PY) manage.py compilemessages --ignore=.venv -v0

makemessages: install ## collect new interface strings into the .po files
	DEBUG=1 $(PY) manage.py makemessages -l zh_Hans --ignore=.venv --ignore=bench --ignore=tests

migrate: install
	@echo "Bringing the database up to date…"
	@DEBUG=1 $(PY) manage.py migrate --noinput -v0

demo: install
	DEBUG=1 $(PY) manage.py demo

worker: install
	DEBUG=1 $(PY) manage.py worker --queue-name '*'

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrations-check: install
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

lock: install ## re-pin the transitive dependencies after changing pyproject.toml
	$(VENV)/bin/pip freeze --exclude-editable > constraints.txt

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
