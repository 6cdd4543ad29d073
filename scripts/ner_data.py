"""Build the NER training data: build/ner/{train,dev,dev_<source>}.spacy and summary.json.

Sources (../shared/data/ner/, research use; a model trained on them must say so):
- `msra_train.jsonl`: MSRA (SIGHAN 2006), People's Daily 1998, PER/LOC/ORG.
- `pd1998_jan.jsonl`: People's Daily January 1998 (PKU), PER/LOC/ORG derived
  from the nr/ns/nt tags. PKU boundaries differ from MSRA's in places (e.g.
  what an organisation span covers); both are kept, because they are the same
  newspaper genre the project reads, and the conflict is measured by the
  per-source dev files rather than guessed at.
- `cluener2020_train.jsonl`: CLUENER2020 (THUCNews sentences, ten fine labels).

How they are combined:
- Labels are PER, LOC, ORG only. CLUENER spans are mapped by their
  `fine_label` (CLUENER_FINE_MAP): name -> PER; organization, company,
  government -> ORG; address, scene -> LOC. position, game, book, movie are
  dropped: those spans become plain text (counted as `unmapped:<fine>`), which
  is right for our three labels since none of them is a person, place or
  organisation name as a whole. A record without `fine_label` keeps `label` if
  it is one of the three.
- Spans are checked against the text: out of range, empty, or whose `text`
  field differs from text[start:end] are skipped and counted (`misaligned`);
  overlapping spans keep the longest (ties: the earliest), the others are
  counted (`overlap`); spans that do not fall on token boundaries of the
  tokeniser are counted (`off_token`). Nothing is dropped without a count.
- One convention where the sources disagree (harmonise, unlabelled_names):
  a single-character place or organisation (中 and 美 in 中美, 京 in 进京) is
  an abbreviation, not a name: MSRA labels them, PD1998 does not, so MSRA's
  become plain text (counted as `single_char:<label>`). CLUENER labels
  addresses, not every place (中国 in 13 of its 648 occurrences), so in its
  sentences a jieba place or organisation word (ns, nt) outside its spans is
  left without annotation rather than taught as plain text
  (`unannotated_words` in the summary). Both apply to train and dev alike.
- Where MSRA analyses a string consistently, PD1998 and CLUENER follow it
  (follow_msra; counted as `msra:added`, `msra:rewritten`, `msra:cuts_a_word`).
  PD1998's names are read off part-of-speech tags, which leave abbreviations
  (十五大, 欧盟, 北约) and names inside terms (邓小平理论) unnamed and make a
  government one organisation (中国政府) where MSRA names the country. MSRA
  was annotated for NER and is the same newspaper. The conventions are mined
  from MSRA's training sentences only, and applied to train and dev alike.
- Sentences are de-duplicated on a normalised key (NFKC, then everything but
  letters and digits removed), first occurrence wins in the order MSRA,
  PD1998, CLUENER: MSRA and PD1998 both come from People's Daily 1998, and
  PD1998 repeats some lines (datelines, bylines).
- The dev split is our own: a sentence is dev when sha1 of its normalised key
  falls in the lowest `dev_per_mille` of 1000 buckets (default 50, i.e. 5%).
  Hashing the normalised key keeps near-duplicates on the same side and makes
  the split independent of file order and of --max-train. `dev.spacy`, the
  dev split proper, holds the fully annotated sources (MSRA, PD1998);
  `dev_<source>.spacy` each source's part, CLUENER's included.
- The project's hand-annotated news (eval/data/ner_news/news_ner.jsonl, guide
  eval/ner_guide.md, MSRA-compatible; `--news`): only articles of its `train`
  split, never `dev` (news_dev, the yardstick) nor `calib` (articles annotated
  for scripts/calibrate_ner.py's confidence map and never studied: see
  news_articles). The train articles are cut into the segment stage's sentences
  (as the stage reads them) and join the training split (`train/news`), each
  sentence `--news-repeat` times: they are the only modern news in the data.
  Hand-annotated, they follow neither harmonise nor follow_msra, but a
  one-character place or organisation (中 in 中美, which the guide marks and
  harmonise makes plain text in MSRA) is left unannotated (missing, no loss
  either way: `single_char_missing:<label>`), so the model is not taught two
  conventions; rules/ner/abbreviations.toml finds those. A sentence whose
  key is also a news_dev or calib sentence's (boilerplate) is dropped
  (`in_news_dev`, `in_news_calib`),
  as is one already in the other sources (`duplicate`); a name crossing a
  sentence end is left unannotated (`crosses_sentence`).
- `--max-train N` keeps the N training sentences with the lowest hash (a
  deterministic sample across all sources) for quick runs; `--max-dev` the same
  for dev.

Text: full-width ASCII is folded to ASCII (same length, spans unchanged); the
ner stage folds what the model reads the same way (pipeline/stages/ner/features.py).

Tokenisation: one token per character, so every annotated span falls on token
boundaries and predicted spans map to exact character offsets. Each character
carries the jieba word around it (TAG = place in the word + part of speech,
LEMMA = the word; pipeline/stages/ner/features.py), from the segment stage's own
tokenizer and rules/segment/ dictionaries, exactly as the ner stage builds it.
Word tokens were the alternative (fewer tokens, faster); `jieba_cut` in the
summary counts, per source, the entities whose boundaries fall inside a jieba
word, which a word-token model could never find (measured: MSRA 7,145 of 58,877
entities, 12.1%; PD1998 1,936 of 52,798, 3.7%; CLUENER 528 of 16,172, 3.3%).

Usage: python scripts/ner_data.py [--data DIR] [--out DIR] [--max-train N]
       [--max-dev N] [--dev-per-mille N] [--news FILE | --no-news] [--news-repeat N] [--backend B]
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

LABELS = ("PER", "LOC", "ORG")
# Source name -> file, in de-duplication priority order.
SOURCES = {
    "msra": "msra_train.jsonl",
    "pd1998": "pd1998_jan.jsonl",
    "cluener": "cluener2020_train.jsonl",
}
CLUENER_FINE_MAP = {
    "name": "PER",
    "organization": "ORG",
    "company": "ORG",
    "government": "ORG",
    "address": "LOC",
    "scene": "LOC",
}
# Sources that leave some names unlabelled (unlabelled_names); kept out of the dev split proper.
PARTIAL = ("cluener",)
DEFAULT_DEV_PER_MILLE = 50
# The hand-annotated news (splits train, dev, calib: scripts/ner_news.py).
NEWS = Path(__file__).resolve().parents[1] / "eval" / "data" / "ner_news" / "news_ner.jsonl"
NEWS_SPLITS = ("train", "dev", "calib")
DEFAULT_NEWS_REPEAT = 3
_NON_WORD = re.compile(r"\W+")
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from pipeline.core.patterns import longest_first  # noqa: E402
from pipeline.stages.ner.features import halfwidth, make_doc  # noqa: E402


def normal_key(text: str) -> str:
    """The de-duplication and split key: NFKC, letters and digits only."""
    return _NON_WORD.sub("", unicodedata.normalize("NFKC", text)).replace("_", "")


def bucket_of(text: str) -> int:
    """0..999, stable across runs and platforms."""
    digest = hashlib.sha1(normal_key(text).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % 1000


def split_of(text: str, dev_per_mille: int = DEFAULT_DEV_PER_MILLE) -> str:
    return "dev" if bucket_of(text) < dev_per_mille else "train"


def map_label(entity: dict) -> str | None:
    """PER/LOC/ORG for an entity, or None when it has no place in our labels."""
    fine = entity.get("fine_label")
    if fine is not None:
        return CLUENER_FINE_MAP.get(fine)
    label = entity.get("label")
    return label if label in LABELS else None


def convert_record(record: dict, counts: Counter) -> list[tuple[int, int, str]]:
    """The record's usable spans as sorted (start, end, label); drops are counted in `counts`."""
    text = record.get("text") or ""
    kept: list[tuple[int, int, str]] = []
    for entity in record.get("entities") or []:
        label = map_label(entity)
        if label is None:
            counts[f"unmapped:{entity.get('fine_label') or entity.get('label')}"] += 1
            continue
        start, end = entity.get("start"), entity.get("end")
        if (
            not isinstance(start, int)
            or not isinstance(end, int)
            or not 0 <= start < end <= len(text)
            or ("text" in entity and entity["text"] != text[start:end])
        ):
            counts["misaligned"] += 1
            continue
        kept.append((start, end, label))
    # Longest first, then earliest: a nested or crossing span loses to the longer one.
    chosen: list[tuple[int, int, str]] = []
    for span in sorted(kept, key=lambda s: (-(s[1] - s[0]), s[0])):
        if any(span[0] < other[1] and other[0] < span[1] for other in chosen):
            counts["overlap"] += 1
        else:
            chosen.append(span)
    return sorted(chosen)


def harmonise(spans: list[tuple[int, int, str]], counts: Counter) -> list[tuple[int, int, str]]:
    """One convention for all sources: a single-character place or organisation
    (中 and 美 in 中美, 京 in 进京) is an abbreviation, not a name.

    MSRA labels them (5,605 spans: 中 867 times, 美 574 …), PD1998 does not (its
    single-character names are all surnames), CLUENER hardly ever (21). The
    spans become plain text, in training and in the dev split alike.
    """
    kept = []
    for start, end, label in spans:
        if end - start == 1 and label != "PER":
            counts[f"single_char:{label}"] += 1
        else:
            kept.append((start, end, label))
    return kept


# An organisation that is a place's government (中国政府, 北京市人民政府): MSRA names the
# place alone (254 times in its text; 6 times the whole as an organisation).
GOVERNMENT = re.compile(r"(.+?)(?:人民)?政府")
PLACE_ENDS = tuple("国省市县区州镇乡旗")

# follow_msra: how often a string must occur in MSRA's training sentences, and how
# consistently MSRA must analyse it, before the other sources are made to follow.
MSRA_MIN_COUNT = 4
MSRA_MIN_SHARE = 0.8

Analysis = tuple[tuple[int, int, str], ...]


def _by_head(names: Iterable[str]) -> dict[str, list[str]]:
    """Names (two characters or more) by their first two characters, longest first."""
    index: dict[str, list[str]] = {}
    for name in longest_first(names):
        index.setdefault(name[:2], []).append(name)
    return index


def _occurrences(text: str, by_head: dict[str, list[str]]) -> Iterator[tuple[int, str]]:
    """(start, name) for every occurrence of an indexed name, overlapping ones included."""
    for at in range(len(text) - 1):
        for name in by_head.get(text[at : at + 2], ()):
            if text.startswith(name, at):
                yield at, name


def _analysis(spans, start: int, end: int) -> Analysis | None:
    """How the spans annotate text[start:end]: the names inside it, relative to start
    (() when none), or None when a name runs across its edge or around it."""
    inner = []
    for s, e, label in spans:
        if start <= s and e <= end:
            inner.append((s - start, e - start, label))
        elif s < end and start < e:
            return None
    return tuple(inner)


def msra_conventions(examples: list[dict]) -> dict[str, Analysis]:
    """String -> MSRA's analysis of it, for the names the sources annotate that MSRA's
    training sentences analyse one way in at least MSRA_MIN_SHARE of MSRA_MIN_COUNT or
    more occurrences (an occurrence inside a longer name counts against). Mined from
    the training split only, so the dev split's own labels decide nothing."""
    msra = [e for e in examples if e["source"] == "msra" and e["split"] == "train"]
    others = [e for e in examples if e["source"] != "msra"]
    # MSRA's own names count only if frequent enough to pass as a whole name.
    named = Counter(e["text"][s:t] for e in msra for s, t, _ in e["spans"] if t - s > 1)
    candidates = {name for name, n in named.items() if n >= MSRA_MIN_COUNT * MSRA_MIN_SHARE}
    candidates |= {e["text"][s:t] for e in others for s, t, _ in e["spans"] if t - s > 1}
    index = _by_head(candidates)
    seen: dict[str, Counter] = {}
    for e in msra:
        for at, name in _occurrences(e["text"], index):
            seen.setdefault(name, Counter())[_analysis(e["spans"], at, at + len(name))] += 1
    found: dict[str, Analysis] = {}
    for name, analyses in seen.items():
        analysis, count = analyses.most_common(1)[0]
        total = sum(analyses.values())
        if analysis is not None and total >= MSRA_MIN_COUNT and count >= MSRA_MIN_SHARE * total:
            found[name] = analysis
    return found


def follow_msra(example: dict, conventions: dict[str, Analysis], whole: dict[str, list[str]], words, counts: Counter) -> None:
    """Make a PD1998 or CLUENER example follow MSRA where MSRA is consistent.

    PD1998's names are read off its part-of-speech tags, so abbreviations (tag j:
    欧盟, 北约, 十五大, 中宣部) and a name inside a term (邓小平 in 邓小平理论) are not
    names there, and a government is one organisation (中国政府) where MSRA marks
    the country alone. MSRA was annotated for NER, and the two are the same
    newspaper, so:
    - a government (GOVERNMENT) becomes the place it governs, when that is a place
      (`msra:government`; dropped when it is not: 利库德联合政府, 市政府);

    and where MSRA analyses a string one way (msra_conventions):
    - a name of the example whose string MSRA analyses otherwise is replaced by
      MSRA's analysis (`msra:rewritten`);
    - an unannotated occurrence of a string MSRA takes whole as a name (`whole`, from
      whole_names) becomes that name (`msra:added`), longest first, where it begins
      a jieba word (`words`, text -> words) and ends that word or one after it: 里根
      is no name in 这里根本, nor 世界银行 in 世界 / 银行业; 邓小平 in 邓小平理论 is,
      as MSRA has it (281 of 287).
    """
    text, spans = example["text"], []
    for start, end, label in example["spans"]:
        analysis = conventions.get(text[start:end])
        government = GOVERNMENT.fullmatch(text, start, end) if label == "ORG" and not analysis else None
        if government:
            # The place before (人民)政府, where it is one: 贝宁, 黔东南州, not 利库德联合.
            place = government.group(1)
            counts["msra:government"] += 1
            if len(place) > 1 and (place.endswith(PLACE_ENDS) or conventions.get(place) == ((0, len(place), "LOC"),)):
                spans.append((start, start + len(place), "LOC"))
        # A name MSRA takes for a plain word (现代, 学生) is left alone: which it is
        # depends on the sentence, not on the string.
        elif not analysis or analysis == ((0, end - start, label),):
            spans.append((start, end, label))
        else:
            counts["msra:rewritten"] += 1
            spans.extend((start + s, start + e, lab) for s, e, lab in analysis)
    bounds = None
    for at, name in _occurrences(text, whole):
        end = at + len(name)
        if any(at < e and s < end for s, e, _ in spans):
            continue
        if bounds is None:
            bounds = {w.start: w.end for w in words(text)}
        if at in bounds and (end <= bounds[at] or end in bounds or end == len(text)):
            spans.append((at, end, conventions[name][0][2]))
            counts["msra:added"] += 1
        else:
            counts["msra:cuts_a_word"] += 1
    example["spans"] = sorted(spans)


def whole_names(conventions: dict[str, Analysis]) -> dict[str, list[str]]:
    """The strings MSRA takes whole as one name, indexed for follow_msra."""
    return _by_head(name for name, a in conventions.items() if len(a) == 1 and a[0][:2] == (0, len(name)))


def read_jsonl(path: Path) -> Iterator[dict]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def combine(
    sources: Iterable[tuple[str, Iterable[dict]]],
    dev_per_mille: int = DEFAULT_DEV_PER_MILLE,
    backend: str | None = None,
) -> tuple[list[dict], dict]:
    """De-duplicated examples {source, id, text, spans, split, bucket} and drop counts per source."""
    seen: set[str] = set()
    examples: list[dict] = []
    drops: dict[str, Counter] = {}
    for source, records in sources:
        counts = drops.setdefault(source, Counter())
        for record in records:
            text = halfwidth(record.get("text") or "")
            key = normal_key(text)
            if not key:
                counts["empty"] += 1
                continue
            if key in seen:
                counts["duplicate"] += 1
                continue
            seen.add(key)
            spans = harmonise(convert_record(record, counts), counts)
            bucket = bucket_of(text)
            examples.append(
                {
                    "source": source,
                    "id": record.get("id"),
                    "text": text,
                    "spans": spans,
                    "bucket": bucket,
                    "split": "dev" if bucket < dev_per_mille else "train",
                }
            )
    @functools.cache
    def segmenter():  # built on first use: most calls (the tests') never need it
        return segment_stage(backend)

    conventions = msra_conventions(examples)
    whole = whole_names(conventions)
    for example in examples:
        if example["source"] != "msra":
            follow_msra(example, conventions, whole, lambda text: segmenter().words(text), drops[example["source"]])
    return examples, drops


def sample(examples: list[dict], limit: int | None) -> list[dict]:
    """The `limit` examples with the lowest hash (all when limit is None), in their original order."""
    if limit is None or limit >= len(examples):
        return examples
    keep = {id(e) for e in sorted(examples, key=lambda e: (e["bucket"], normal_key(e["text"])))[:limit]}
    return [e for e in examples if id(e) in keep]


def news_articles(path: Path, split: str) -> Iterator[dict]:
    """The reviewed articles of the hand-annotated news in `split`, by the `split` field alone:
    `train` (trained on), `dev` (news_dev, the yardstick: scored, never trained on) or `calib` (the
    calibration set: its own batches, annotated for scripts/calibrate_ner.py only, never trained on and
    never studied; issue 18). Until 2026-12 the calibration slice was a quarter of the train articles
    by id hash, which two rounds of rule work had studied, so the map fitted on it was overconfident on
    unseen text; those articles are ordinary train articles now."""
    if split not in NEWS_SPLITS:
        raise ValueError(f"news split {split!r}: one of {NEWS_SPLITS}")
    for record in read_jsonl(path):
        if record.get("reviewed") is not False and record.get("split") == split:
            yield record


def news_examples(path: Path, sentences, seen: set[str], counts: Counter) -> list[dict]:
    """Training examples {source: news, ...} from the news articles of split `train`, a
    sentence each (`sentences`: text -> [(start, end)]), as described in the module docstring."""
    def keys(split: str) -> set[str]:
        return {normal_key(halfwidth(r["text"])[s:e]) for r in news_articles(path, split) for s, e in sentences(r["text"])}

    # A train sentence that is also a held-out article's (boilerplate, a reprint) is not trained on:
    # the calib set's confidences, like news_dev's figures, must come from text the model never saw.
    dev_keys, calib_keys = keys("dev"), keys("calib")
    out = []
    for record in news_articles(path, "train"):
        text = halfwidth(record["text"])
        counts["articles"] += 1
        spans = []
        for entity in record["entities"]:
            start, end, label = entity["start"], entity["end"], entity["label"]
            if text[start:end] != halfwidth(entity["text"]) or label not in LABELS:
                raise ValueError(f"{path}: {record['id']}: {entity} does not match the text")
            spans.append((start, end, label))
        for n, (s, e) in enumerate(sentences(record["text"])):
            sentence = text[s:e]
            key = normal_key(sentence)
            if not key:
                continue
            if key in dev_keys:
                counts["in_news_dev"] += 1
                continue
            if key in calib_keys:
                counts["in_news_calib"] += 1
                continue
            if key in seen:
                counts["duplicate"] += 1
                continue
            seen.add(key)
            inside, missing = [], []
            for a, b, label in spans:
                if s <= a and b <= e:
                    if b - a == 1 and label != "PER":
                        counts[f"single_char_missing:{label}"] += 1
                        missing.append((a - s, b - s))
                    else:
                        inside.append((a - s, b - s, label))
                elif a < e and s < b:
                    counts["crosses_sentence"] += 1
                    missing.append((max(a, s) - s, min(b, e) - s))
            out.append({"source": "news", "id": f"{record['id']}#{n}", "text": sentence, "spans": inside,
                        "missing": missing, "bucket": bucket_of(sentence), "split": "train"})
    return out


def segment_stage(backend: str | None = None, cache_dir: Path | None = None):
    """The segment stage as rules/pipeline.toml configures it (as the ner stage reads its words),
    with `backend` (jieba, rjieba) instead of the configured one when given: the model's word
    features must come from the tokenizer it will read at run time."""
    from pipeline.stages.registry import configured_stage

    overrides = {} if backend is None else {"backend": backend}
    return configured_stage("segment", ROOT / "rules", cache_dir, **overrides)


GAZETTEERS = ROOT.parent / "shared" / "data" / "gazetteers"
# Gazetteer file -> label, for the model's lexicon feature (features.Lexicon).
LEXICON_FILES = {
    "companies.jsonl": "ORG", "soes.jsonl": "ORG", "government.jsonl": "ORG", "media.jsonl": "ORG",
    "universities.jsonl": "ORG", "admin_divisions.jsonl": "LOC", "countries.jsonl": "LOC",
}
_HAN = re.compile(r"[\u4e00-\u9fff]")


def lexicon_entries(folder: Path = GAZETTEERS) -> list[tuple[str, str, str]]:
    """(name, label, file) for the model's lexicon feature, from ../shared/data/gazetteers (its README
    has the sources and licences): every full name, short name and alias of two characters or more
    with a Han character; of the 41,352 townships only the full names (their short forms, 城关 or
    新华, are mostly ordinary words). Evidence for the model, which learns how far to trust it."""
    out = set()
    for file, label in LEXICON_FILES.items():
        for record in read_jsonl(folder / file):
            names = [record.get("name")]
            if record.get("level") != "township":
                names += [record.get("short"), *(record.get("aliases") or ())]
            for name in names:
                if name and len(name) > 1 and _HAN.search(name):
                    out.add((halfwidth(name), label, file))
    return sorted(out)


def write_lexicon(path: Path, folder: Path = GAZETTEERS) -> int:
    """lexicon.tsv (name, label, gazetteer file a line); the number of lines."""
    entries = lexicon_entries(folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{n}\t{label}\t{file}\n" for n, label, file in entries), encoding="utf-8")
    return len(entries)


def make_vocab():
    from spacy.vocab import Vocab

    return Vocab()


def unlabelled_names(example: dict, words) -> list[tuple[int, int]]:
    """Place and organisation words (jieba ns, nt) outside every annotated span of a
    partially annotated source (PARTIAL), else nothing.

    CLUENER labels addresses, not every place: 中国 is a name in 13 of its 648
    occurrences (MSRA: 2,668 of 4,080 exactly, most others inside a longer
    name). Training on them as plain text would teach the opposite of the other
    sources, so their characters are left without annotation (spaCy's missing
    value: no loss either way).
    """
    if example["source"] not in PARTIAL:
        return []
    spans = example["spans"]
    return [
        (w.start, w.end)
        for w in words
        if w.pos in ("ns", "nt") and not any(w.start < end and start < w.end for start, end, _ in spans)
    ]


def to_doc(vocab, segmenter, example: dict):
    """A character Doc with word features and the example's entities; how many of them
    a jieba word cuts (their start or end falls inside a word; they stay in the data)
    and how many words were left unannotated (unlabelled_names)."""
    text = example["text"]
    words = segmenter.words(text)
    doc = make_doc(vocab, text, [(w.start, w.end, w.pos) for w in words])
    bounds = {w.start for w in words} | {w.end for w in words}
    missing = unlabelled_names(example, words) + list(example.get("missing", ()))
    doc.set_ents(
        [doc.char_span(start, end, label=label) for start, end, label in example["spans"]],
        missing=[doc.char_span(start, end) for start, end in missing],
        default="outside",
    )
    cut = sum(1 for start, end, _ in example["spans"] if start not in bounds or end not in bounds)
    return doc, cut, len(missing)


def summarise(examples: list[dict], drops: dict[str, Counter]) -> dict:
    out: dict = {"sentences": {}, "characters": {}, "entities": {}, "dropped": {}}
    for e in examples:
        where = f"{e['split']}/{e['source']}"
        out["sentences"][where] = out["sentences"].get(where, 0) + 1
        out["characters"][where] = out["characters"].get(where, 0) + len(e["text"])
        labels = out["entities"].setdefault(where, {})
        for _, _, label in e["spans"]:
            labels[label] = labels.get(label, 0) + 1
    out["dropped"] = {source: dict(sorted(c.items())) for source, c in drops.items()}
    for key in ("sentences", "characters", "entities"):
        out[key] = dict(sorted(out[key].items()))
    return out


def write(examples: list[dict], drops: dict[str, Counter], out: Path, news_repeat: int = 1,
          backend: str | None = None) -> dict:
    from spacy.tokens import DocBin

    vocab = make_vocab()
    out.mkdir(parents=True, exist_ok=True)
    segmenter = segment_stage(backend, out / "cache")
    bins: dict[str, DocBin] = {}
    cut: Counter = Counter()
    unannotated: Counter = Counter()
    for e in examples:
        doc, n_cut, n_missing = to_doc(vocab, segmenter, e)
        cut[e["source"]] += n_cut
        unannotated[e["source"]] += n_missing
        if e["split"] == "train":
            names = ["train"] * (news_repeat if e["source"] == "news" else 1)
        else:  # the dev split proper holds the fully annotated sources only
            names = [f"dev_{e['source']}"] + ([] if e["source"] in PARTIAL else ["dev"])
        for name in names:
            bins.setdefault(name, DocBin(attrs=["ORTH", "TAG", "LEMMA", "ENT_IOB", "ENT_TYPE"])).add(doc)
    for name, docbin in bins.items():
        docbin.to_disk(out / f"{name}.spacy")
    summary = summarise(examples, drops)
    summary["jieba_cut"] = dict(sorted(cut.items()))
    summary["unannotated_words"] = dict(sorted(unannotated.items()))
    summary["news_repeat"] = news_repeat if any(e["source"] == "news" for e in examples) else 0
    summary["segment_backend"] = segmenter.settings["backend"]
    summary["files"] = {name: len(docbin) for name, docbin in sorted(bins.items())}
    (out / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data" / "ner")
    parser.add_argument("--out", type=Path, default=Path("build/ner"))
    parser.add_argument("--max-train", type=int, default=None)
    parser.add_argument("--max-dev", type=int, default=None)
    parser.add_argument("--dev-per-mille", type=int, default=DEFAULT_DEV_PER_MILLE)
    parser.add_argument("--news", type=Path, default=NEWS, help="hand-annotated news (its train articles)")
    parser.add_argument("--no-news", action="store_true", help="leave the hand-annotated news out")
    parser.add_argument("--news-repeat", type=int, default=DEFAULT_NEWS_REPEAT,
                        help="times each news training sentence is in train.spacy")
    parser.add_argument("--gazetteers", type=Path, default=GAZETTEERS, help="source of lexicon.tsv")
    parser.add_argument("--backend", default=None, help="the segment stage's tokenizer for the word features "
                        "(jieba, rjieba; default: rules/pipeline.toml's)")
    args = parser.parse_args(argv)

    missing = [name for name in SOURCES.values() if not (args.data / name).is_file()]
    if missing:
        print(f"ner_data: missing in {args.data}: {', '.join(missing)}", file=sys.stderr)
        return 2
    examples, drops = combine(
        ((source, read_jsonl(args.data / name)) for source, name in SOURCES.items()),
        args.dev_per_mille,
        args.backend,
    )
    if not args.no_news:
        from pipeline.stages.segment.stage import SegmentStage, split_sentences

        punctuation = SegmentStage({}, ROOT / "rules").punctuation
        seen = {normal_key(e["text"]) for e in examples}
        news = news_examples(args.news, lambda t: [(x.start, x.end) for x in split_sentences(t, punctuation)],
                             seen, drops.setdefault("news", Counter()))
        examples += news
    train = sample([e for e in examples if e["split"] == "train"], args.max_train)
    dev = sample([e for e in examples if e["split"] == "dev"], args.max_dev)
    summary = write(train + dev, drops, args.out, args.news_repeat, args.backend)
    if args.gazetteers.is_dir():  # the lexicon a model trained with --lexicon reads (scripts/train_ner.py)
        summary["lexicon"] = write_lexicon(args.out / "lexicon.tsv", args.gazetteers)
        (args.out / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(summary, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
