# The two commands of the README: `make run` (the service) and `make test` (all tests).
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test unit integration bench-dedup bench-text2image bench-hashtags bench-text2tags bench-speed bench-bot \
	bench-load bench-swap bench-scale bench-clusters bench-similar train-heads clean

$(STAMP): requirements.txt requirements-dev.txt
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --no-cache-dir --upgrade pip
	$(PY) -m pip install --quiet --no-cache-dir -r requirements-dev.txt
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m bot

test: $(STAMP)
	$(PY) -m pytest

unit: $(STAMP)
	$(PY) -m pytest tests/unit

integration: $(STAMP)
	$(PY) -m pytest tests/integration

DATA ?= ../shared/datasets
bench-dedup: $(STAMP)
	$(PY) -m bench dedup --data $(DATA)/flickr8k_fullres --holdout $(DATA)/food --distractors $(DATA)/flickr8k
bench-text2image: $(STAMP)
	$(PY) -m bench text2image --data $(DATA)/flickr8k --split dev
bench-hashtags: $(STAMP)
	$(PY) -m bench hashtags --data $(DATA)/food
	$(PY) -m bench hashtags --data $(DATA)/flickr8k --split dev
bench-text2tags: $(STAMP)
	$(PY) -m bench text2tags --data $(DATA)/food
	$(PY) -m bench text2tags --data $(DATA)/flickr8k --split dev
bench-speed: $(STAMP)
	$(PY) -m bench speed --data $(DATA)/flickr8k
bench-bot: $(STAMP)
	$(PY) -m bench bot --data $(DATA)/flickr8k
bench-load: $(STAMP)
	$(PY) -m bench load --data $(DATA)/flickr8k --users 20 --seconds 60
bench-swap: $(STAMP)
	$(PY) -m bench swap --data $(DATA)/flickr8k
bench-scale: $(STAMP)
	$(PY) -m bench scale --data .
bench-clusters: $(STAMP)
	$(PY) -m bench clusters --data $(DATA)/food
	$(PY) -m bench clusters --data $(DATA)/flickr8k --split train --limit 2000
bench-similar: $(STAMP)
	$(PY) -m bench similar --data $(DATA)/food
	$(PY) -m bench similar --data $(DATA)/flickr8k --split dev
train-heads: $(STAMP)
	$(PY) -m models train --data $(DATA)/flickr8k --split train --words-as-tags --out flickr-v1 --activate

clean:
	rm -rf $(VENV) .pytest_cache
