"""Can spun copy be told from clean news without the swap table? Table-free language-model features, measured.

    .venv/bin/python scripts/probe_spun_lm.py [--news PATH] [--thesaurus FILE] [--limit N]

Issue 21 asks for spun detection that generalises to substitutions the stage never saw (eval/clean.py:
`spun_heldout_recall` 0.0). A spinner replaces words with rarer near-synonyms, so the text should be
improbable in many places at once. This probe measures that idea with the repair stage's character
4-gram model (pipeline/stages/repair/charngram.py) and nothing of the swap table, per document:

- `mean_logprob`, `low8`, `pmi_neg`, `backoff_gap`: the mean log P(c | 3 before) over Han characters, the
  share below -8 nats, the share less likely in context than alone (PMI < 0), the share the one-character
  context finds likelier than the three-character one;
- `subst_M`: per 1,000 characters, positions where one other character (a bigram neighbour of both
  sides, the four best by the bigram model) makes the 4-gram window at least M nats likelier, as a
  spelling checker would flag them;
- with `--thesaurus` (one synonym group a line, words split by spaces: e.g. a 同义词词林 export),
  `thes_M`: distinct two-character words of the group list whose best synonym is M nats likelier there,
  counting only words whose ordinary uses (the train split, CLUENER train) reach M at most 15% of the time.

Negatives: every real article of the news set as it is (the stage must flag none). Positives: the `tune`
articles spun with the `fit` swaps (design side), and, reported apart, the `measure` articles spun with the
`heldout` swaps (scripts/spun_data.py, seeds as eval/clean.py). Per feature: the paired effect (mean change
from an article to its spun copy, over the spread of clean articles) and the recall with no real article
past the threshold (the bar the stage keeps: 0 of 1,480 real articles flagged). Last, all features in
one logistic regression (scripts/fit_spam_classifier.py's fit_logistic) fitted on the design side alone.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import statistics
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for p in (ROOT, ROOT / "scripts"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

from spun_data import articles, read_pairs, spun_copies  # noqa: E402

DEFAULT_NEWS = ROOT.parent / "shared" / "data" / "news" / "news_zh.jsonl"
CLUENER = ROOT.parent / "shared" / "data" / "ner" / "cluener2020_train.jsonl"
FIT_SEED = 20240521  # scripts/fit_spun_classifier.py's
MEASURE_SEED = 20240425 + 4  # eval/clean.py's for the heldout swaps (its SEED + 4 + 0)
SUBST_MARGINS = (4.0, 6.0, 8.0)
THES_MARGINS = (4.0, 6.0, 8.0)
MAX_FALSE = 0.15


def _han(c: str) -> bool:
    return "\u4e00" <= c <= "\u9fff"


class Probe:
    def __init__(self, thesaurus: Path | None):
        from pipeline.stages.repair.charlm import CharLM
        from pipeline.stages.repair.charngram import CharNgram

        self.lm = CharLM.load()
        self.ng = CharNgram.load(self.lm)
        self.syn: dict[str, list[str]] = {}
        if thesaurus is not None:
            import jieba

            freq = {}
            with jieba.get_dict_file() as fh:
                for line in fh:
                    parts = line.decode("utf-8").split()
                    freq[parts[0]] = int(parts[1])
            groups: dict[str, set[str]] = {}
            for line in thesaurus.read_text(encoding="utf-8").splitlines():
                words = [w for w in line.split() if len(w) == 2 and freq.get(w, 0) >= 50]
                for w in words:
                    groups.setdefault(w, set()).update(x for x in words if x != w)
            self.syn = {w: sorted(s) for w, s in groups.items() if s}

    def _window(self, s: str) -> float:
        return sum(math.log(self.ng.prob(s[max(0, k - 3):k], s[k])) for k in range(3, len(s)))

    def profile(self, text: str) -> dict:
        lm, ng = self.lm, self.ng
        s = lm.simplify(text)
        lps, low, pmi, gap, subst = [], 0, 0, 0, {m: 0 for m in SUBST_MARGINS}
        thes: list[tuple[str, float]] = []
        for j in range(3, len(s)):
            if not (_han(s[j]) and all(_han(x) for x in s[j - 3:j])):
                continue
            lp = math.log(ng.prob(s[j - 3:j], s[j]))
            lps.append(lp)
            low += lp < -8
            pmi += lp < math.log(ng._uni.get(s[j], ng._floor))
            gap += math.log(ng.prob(s[j - 1], s[j])) > lp
            if j + 4 <= len(s) and all(_han(x) for x in s[j + 1:j + 4]):
                after, before = lm.neighbours(s[j - 1], s[j + 1])
                here = lm.logprob(s[j - 1], s[j]) + lm.logprob(s[j], s[j + 1])
                best = sorted(after & before, key=lambda c: -(lm.logprob(s[j - 1], c) + lm.logprob(c, s[j + 1])))[:4]
                best = [c for c in best if c != s[j] and lm.logprob(s[j - 1], c) + lm.logprob(c, s[j + 1]) > here]
                if best:
                    base = self._window(s[j - 3:j + 4])
                    g = max(self._window(s[j - 3:j] + c + s[j + 1:j + 4]) for c in best) - base
                    for m in SUBST_MARGINS:
                        subst[m] += g >= m
            if self.syn and j + 5 <= len(s):
                w = s[j:j + 2]
                cands = self.syn.get(w)
                if cands:
                    before_, after_ = s[j - 3:j], s[j + 2:j + 5]
                    base = self._window(before_ + w + after_)
                    thes.append((w, max(self._window(before_ + c + after_) for c in cands) - base))
        n = max(1, len(lps))
        out = {
            "mean_logprob": statistics.fmean(lps) if lps else 0.0,
            "low8": low / n, "pmi_neg": pmi / n, "backoff_gap": gap / n,
            **{f"subst_{m:g}": subst[m] * 1000 / n for m in SUBST_MARGINS},
        }
        return {"x": out, "thes": thes}


def thesaurus_counts(profiles: list[dict], calibration: list[dict]) -> list[dict[str, float]]:
    out = [dict() for _ in profiles]
    for m in THES_MARGINS:
        uses, false = Counter(), Counter()
        for p in calibration:
            for w, g in p["thes"]:
                uses[w] += 1
                false[w] += g >= m
        evidence = {w for w in uses if (false[w] + 0.5) / (uses[w] + 5) <= MAX_FALSE}
        for o, p in zip(out, profiles):
            o[f"thes_{m:g}"] = float(len({w for w, g in p["thes"] if g >= m and w in evidence}))
    return out


def report(name: str, plain: list[dict], spun: list[dict], real: list[dict]) -> None:
    print(f"{name}: {len(spun)} spun copies; negatives {len(real)} real articles")
    for key in spun[0]:
        # Which way a spun copy moves: most features rise, mean_logprob falls.
        sign = -1.0 if key == "mean_logprob" else 1.0
        diffs = [sign * (s[key] - p[key]) for p, s in zip(plain, spun)]
        spread = statistics.pstdev([sign * p[key] for p in plain]) or 1e-9
        top = max(sign * r[key] for r in real)
        recall = sum(sign * s[key] > top for s in spun) / len(spun)
        print(f"  {key:<14} paired effect {statistics.fmean(diffs) / spread:+.2f} sd; "
              f"recall with no real article flagged {recall:.3f}")


def combined(design: tuple[list, list], held: list[dict], real: list[dict], real_train: list[dict]) -> None:
    """A logistic regression over every feature, fitted on the design side only (its spun copies against
    its unspun articles and the train split's real articles, each class weighted alike), thresholded so
    that no real article is flagged; recall on the design side's and the held-out copies."""
    import numpy as np

    from fit_spam_classifier import fit_logistic

    keys = list(design[1][0])
    pos, neg = design[1], design[0] + real_train
    raw = np.array([[r[k] for k in keys] for r in pos + neg])
    mu, sd = raw.mean(0), raw.std(0) + 1e-9

    def matrix(rows):
        return np.hstack([np.ones((len(rows), 1)), (np.array([[r[k] for k in keys] for r in rows]) - mu) / sd])

    # Classes weighted alike by repeating the positives (fit_logistic weighs rows alike).
    times = max(1, round(len(neg) / len(pos)))
    x = np.vstack([matrix(pos)] * times + [matrix(neg)])
    y = np.array([1.0] * (len(pos) * times) + [0.0] * len(neg))
    w = fit_logistic(x, y, 0, steps=4000, rate=0.5, l2=1e-3)
    top = float((matrix(real) @ w).max())
    print(f"logistic regression on {len(keys)} features (fit: design side only): recall with no real article flagged: "
          f"design side {float(((matrix(pos) @ w) > top).mean()):.3f} (in sample), "
          f"held out {float(((matrix(held) @ w) > top).mean()):.3f}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--news", type=Path, default=DEFAULT_NEWS)
    ap.add_argument("--thesaurus", type=Path, help="synonym groups, one a line (optional)")
    ap.add_argument("--limit", type=int, default=0, help="at most N spun copies per side and N*4 real articles")
    args = ap.parse_args(argv)
    from spun_data import part_of

    probe = Probe(args.thesaurus)
    with args.news.open(encoding="utf-8") as fh:
        records = sorted((json.loads(line) for line in fh if line.strip()), key=lambda r: r["id"])
    records = [r for r in records if r.get("text")]
    if args.limit:
        records = random.Random(0).sample(records, min(len(records), args.limit * 4))
    real = [probe.profile(r["text"].replace("\ue40c", "\n")) for r in records]
    calibration = []
    if probe.syn:
        with CLUENER.open(encoding="utf-8") as fh:
            cluener = [json.loads(line)["text"] for line in fh if line.strip()]
        calibration = [probe.profile(t) for t in cluener[:3000]]
        calibration += [probe.profile(r["text"].replace("\ue40c", "\n")) for r in articles(args.news, "train")]

    def features(profiles: list[dict]) -> list[dict[str, float]]:
        xs = [dict(p["x"]) for p in profiles]
        if probe.syn:
            for x, t in zip(xs, thesaurus_counts(profiles, calibration)):
                x.update(t)
        return xs

    real_x = features(real)
    real_train = [x for x, r in zip(real_x, records) if part_of(str(r["id"])) == "train"]
    sides = (("design side: tune articles, fit swaps", "tune", "fit", FIT_SEED),
             ("held out: measure articles, heldout swaps (never tuned on)", "measure", "heldout", MEASURE_SEED))
    got = []
    for name, part, half, seed in sides:
        copies = list(spun_copies(articles(args.news, part), read_pairs(half), seed))
        if args.limit:
            copies = copies[: args.limit]
        plain_x = features([probe.profile(text) for _, text, _, _ in copies])
        spun_x = features([probe.profile(text) for _, _, text, _ in copies])
        report(name, plain_x, spun_x, real_x)
        got.append((plain_x, spun_x))
    combined(got[0], got[1][1], real_x, real_train)
    return 0


if __name__ == "__main__":
    sys.exit(main())
