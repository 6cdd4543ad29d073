"""dedup: each document's MinHash signature, for grouping near-duplicates across the batch.

Grouping needs every document of the batch, so it cannot happen in the
per-document path: this stage computes the signature (cached like any stage
result, in any worker), and the run groups the signatures once every document
is through (`pipeline/run/dedup.py`), filling `cluster_id` and `duplicate_of`.
See README, "Near-duplicates".
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from pipeline.core.document import Document
from pipeline.core.rules import RuleError
from pipeline.core.schema import Float, Int, Kind
from pipeline.core.stage import Assigns, Stage
from pipeline.stages.dedup.minhash import signature

# Filled by the batch step from every document's signature, never by the stage itself.
BATCH_COLUMNS = ("cluster_id", "duplicate_of")


class DedupStage(Stage):
    name = "dedup"
    version = 1
    reads = ("original",)
    assigns = Assigns(meta={"minhash": "string", **{c: "string" for c in BATCH_COLUMNS}})
    settings_kind = Kind("settings.dedup", "Settings of the dedup stage ([stages.dedup]).", {
        "shingle": Int("characters per shingle (window of the normalised text)", default=4, minimum=1),
        "permutations": Int("MinHash values per signature (bands x rows)", default=192, minimum=1),
        "seed": Int("seed of the hash functions: signatures compare only under the same seed", default=1,
                    minimum=0),
        "bands": Int("LSH bands: documents agreeing on all rows of a band become a candidate pair",
                     default=64, minimum=1),
        "threshold": Float("a candidate pair is a duplicate when its estimated Jaccard similarity "
                           "reaches this", default=0.4, minimum=0, maximum=1),
        "containment": Float("... or when the estimated share of the shorter text's shingles found in "
                             "the longer (a truncated copy) reaches this", default=0.7, minimum=0,
                             maximum=1),
    })

    def __init__(self, settings: Mapping[str, Any], rules_dir: Path, cache_dir: Path | None = None):
        super().__init__(settings, rules_dir, cache_dir)
        if self.settings["permutations"] % self.settings["bands"]:
            raise RuleError(rules_dir / "pipeline.toml", None, f"[stages.dedup] permutations ({self.settings['permutations']}) must be a "
                             f"multiple of bands ({self.settings['bands']})")

    def libraries(self) -> dict[str, str]:
        import numpy

        return {"numpy": numpy.__version__}

    def __call__(self, doc: Document) -> Document:
        s = self.settings
        sig = signature(doc.text, s["shingle"], s["permutations"], s["seed"])
        return doc.with_meta(minhash=sig.encode() if sig is not None else None)
