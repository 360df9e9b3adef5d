# Two commands: `make demo` runs the main job, `make test` runs the tests.
# Both create .venv with the project installed; nothing else needs installing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
CAMPAIGN := config/campaigns/release-hrds-2021
OUT    := out

.PHONY: demo test install clean bench mutate up down

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

demo: install
	$(BIN)/campaign validate $(CAMPAIGN)
	@mkdir -p $(OUT)
	$(BIN)/campaign plan $(CAMPAIGN) --json > $(OUT)/plan.json
	@echo "wrote $(OUT)/plan.json"
	$(BIN)/campaign preview $(CAMPAIGN) --out $(OUT)/preview
	$(BIN)/campaign simulate $(CAMPAIGN) --out $(OUT)
	@echo "open $(OUT)/report.html (timeline), $(OUT)/outbox/ (posts), $(OUT)/preview/index.html (cards)"

test: install
	$(BIN)/python -m pytest -q

bench: install
	@for b in benchmarks/*.py; do m=$$(basename $$b .py); [ $$m = __init__ ] || $(BIN)/python -m benchmarks.$$m; done

# Mutation testing of the pure core ([tool.mutmut] in pyproject.toml); a few minutes on 2 cores.
mutate: install
	$(BIN)/python -m pip install --quiet 'mutmut>=3.8'
	$(BIN)/mutmut run --max-children $$(nproc 2>/dev/null || sysctl -n hw.ncpu) || true
	@$(BIN)/python tools/mutation_score.py

clean:
	rm -rf $(OUT) .pytest_cache .hypothesis mutants

# docker compose, for those who have Docker (docker-compose.yml; set REDIS_PASSWORD in .env first).
up:
	docker compose up -d --build

down:
	docker compose down
