# The portal's commands. `make run` and `make test` do all set-up on a fresh machine.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

# Tests run against the real services: local PostgreSQL and Redis unless set otherwise.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/portal
TEST_BROKER_URL ?= redis://127.0.0.1:6379/0
TEST_CACHE_URL ?= redis://127.0.0.1:6379/1

.PHONY: install run test test-fast worker bench lint format messages vendor lock

install: $(STAMP)
	@scripts/install-system-packages.sh
	@$(PY) manage.py compilemessages -v0 --ignore=.venv

$(STAMP): requirements.lock pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required ($(PYTHON))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -r requirements.lock
	@touch $(STAMP)

run: install
	@mkdir -p var
	$(PY) manage.py migrate --no-input
	$(PY) manage.py load_demo
	$(PY) manage.py load_demo_lokaal
	$(PY) manage.py load_demo_internships
	$(PY) manage.py load_demo_monitoring
	$(PY) manage.py runserver 127.0.0.1:8000

# The services the tests run against: what the environment says, else the local ones.
SERVICES = DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} \
	CELERY_BROKER_URL=$${CELERY_BROKER_URL:-$(TEST_BROKER_URL)} \
	CACHE_URL=$${CACHE_URL:-$(TEST_CACHE_URL)}

test: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(SERVICES) $(PY) manage.py makemigrations --check --dry-run -v0
	$(SERVICES) $(VENV)/bin/pytest $(PYTEST_ARGS)

# Beat keeps its schedule file under var/, not in the repository root.
worker: install
	@mkdir -p var
	$(VENV)/bin/celery -A portal worker --beat --schedule var/celerybeat-schedule \
		--loglevel=info --concurrency=2

bench: install
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} $(PY) benchmarks/run_all.py

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format:
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

messages:
	$(PY) manage.py makemessages -l nl -l en --ignore=.venv --ignore=node_modules --ignore=var --no-obsolete
	$(PY) manage.py compilemessages --ignore=.venv

vendor:
	scripts/vendor-static.sh

lock:
	$(VENV)/bin/pip-compile -q --extra dev --strip-extras --no-emit-index-url --no-emit-find-links -o requirements.lock pyproject.toml
