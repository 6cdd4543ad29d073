"""Grouping a batch's near-duplicates from the dedup stage's signatures.

Runs in the parent process after every document is through (any engine), on
what the workers sent back: each document's `minhash` signature, id,
`published_at`, length, `spun` flag and the specific numbers of its text
(amounts, decimals: not years or small counts). Pure function of those, in
input order, so `--jobs` and Dask give the same groups.

Template articles (基金普丰 / 基金普惠 08年度收益分配: one site's template, other
funds, other amounts) share most shingles with each other, yet not their
facts: a repost keeps the numbers it reports. A candidate pair whose texts
both hold NUMBERS_MIN specific numbers or more, and where fewer than
NUMBERS_CONTAINMENT of the smaller set are in the other, is not grouped.

How it scales. Only signatures are kept: per document 4 bytes per
permutation (768 bytes at 192) plus its id and a few scalars, about 1.1 KB
measured, so a million documents need about 1.1 GB in the parent, and the
grouping adds a (documents x permutations) uint32 matrix and one 64-bit key
per document at a time. 20,000 documents group in about 6 s. Candidate pairs come
from LSH banding: the signature is cut into `bands` bands of `rows` values;
documents whose band agrees in every row share a bucket (a pair of Jaccard
similarity J does so in at least one band with probability
1 - (1 - J^rows)^bands). Buckets are found by sorting each band's 64-bit keys
(numpy, O(n log n) per band), never by comparing all pairs. In a bucket each
member is verified against the bucket's first member (then its predecessor)
by the estimated similarity, and verified pairs are joined (union-find).
Beyond what one machine's memory holds, the same banding is a shuffle by
(band, key), e.g. a Dask dataframe groupby; that is not built here.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np

from pipeline.core.document import Document
from pipeline.stages.dedup.minhash import Signature, containment, similarity

STAGE = "dedup"
# Specific numbers: decimals (0.054, 90.94) and runs of three or more digits that are not a year.
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_YEAR = re.compile(r"(?:19|20)[0-9]{2}")
NUMBERS_MIN = 4
NUMBERS_CONTAINMENT = 0.2
# The containment route needs this much estimated Jaccard similarity too: with sets of very
# different sizes J is tiny and its estimate from a few equal positions says nothing.
CONTAINMENT_MIN_SIMILARITY = 0.2


@dataclass(frozen=True)
class _Member:
    doc_id: str
    signature: Signature | None
    published_at: str | None
    chars: int
    spun: bool
    numbers: frozenset = frozenset()


def grouper_for(stages: Sequence[Any]) -> DuplicateGrouper | None:
    """A grouper with the dedup stage's settings, when the run has that stage."""
    for stage in stages:
        if stage.name == STAGE:
            return DuplicateGrouper(stage.settings)
    return None


class DuplicateGrouper:
    """Collects documents' signatures in input order; `columns()` groups them."""

    def __init__(self, settings: Mapping[str, Any]):
        self.bands = int(settings["bands"])
        self.rows = int(settings["permutations"]) // self.bands
        self.threshold = float(settings["threshold"])
        self.containment = float(settings["containment"])
        self.members: list[_Member] = []

    def add(self, doc: Document) -> None:
        encoded = doc.meta.get("minhash")
        published = doc.meta.get("published_at")
        self.members.append(_Member(
            doc.doc_id, Signature.decode(encoded) if encoded else None,
            published if isinstance(published, str) else None, len(doc.text), bool(doc.flags.get("spun")),
            specific_numbers(doc.text)))

    def duplicates(self, i: int, j: int) -> bool:
        x, y = self.members[i].signature, self.members[j].signature
        if not same_numbers(self.members[i].numbers, self.members[j].numbers):
            return False  # one template, other facts
        sim = similarity(x, y)
        return sim >= self.threshold or (
            sim >= CONTAINMENT_MIN_SIMILARITY and containment(x, y) >= self.containment)

    def groups(self) -> list[int]:
        """For each document (input order), the index of its group's first member."""
        n = len(self.members)
        parent = list(range(n))

        def find(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        def union(i: int, j: int) -> None:
            a, b = find(i), find(j)
            if a != b:
                parent[max(a, b)] = min(a, b)

        index = [i for i, m in enumerate(self.members) if m.signature is not None]
        if len(index) > 1:
            matrix = np.stack([self.members[i].signature.values for i in index])  # uint32: 4 bytes a value
            for band in range(self.bands):
                keys = _band_keys(matrix[:, band * self.rows : (band + 1) * self.rows])
                order = np.argsort(keys, kind="stable")  # stable: members in input order
                sorted_keys = keys[order]
                starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
                ends = np.r_[starts[1:], len(order)]
                shared = ends - starts > 1  # most buckets hold one document: skip them in numpy
                for s, e in zip(starts[shared].tolist(), ends[shared].tolist()):
                    bucket = [index[k] for k in order[s:e].tolist()]
                    first = bucket[0]
                    for prev, m in zip(bucket, bucket[1:]):
                        if find(m) == find(first):
                            continue
                        if self.duplicates(first, m):
                            union(first, m)
                        elif prev != first and find(m) != find(prev) and self.duplicates(prev, m):
                            union(prev, m)
        return [find(i) for i in range(n)]

    def columns(self) -> dict[str, list[str | None]]:
        """`cluster_id` (the representative's doc_id; a document alone: its own) and
        `duplicate_of` (the representative's doc_id; null for the representative) per document.

        The representative is the member flagged `spun` last, then the earliest
        `published_at` (documents without one after those with one), then the
        longest text (the most complete copy), then the first in input order.
        """
        roots = self.groups()
        best: dict[int, int] = {}
        for i, root in enumerate(roots):
            if root not in best or self._rank(i) < self._rank(best[root]):
                best[root] = i
        cluster = [self.members[best[root]].doc_id for root in roots]
        duplicate_of = [c if c != m.doc_id else None for c, m in zip(cluster, self.members)]
        return {"cluster_id": cluster, "duplicate_of": duplicate_of}

    def _rank(self, i: int) -> tuple:
        m = self.members[i]
        return (m.spun, m.published_at is None, m.published_at or "", -m.chars, i)


def specific_numbers(text: str) -> frozenset:
    """The decimals and the numbers of three or more digits (not years) of a text, NFKC-folded."""
    out = set()
    for m in _NUMBER.finditer(unicodedata.normalize("NFKC", text)):
        v = m.group()
        if "." in v or (len(v) >= 3 and not _YEAR.fullmatch(v)):
            out.add(v)
    return frozenset(out)


def same_numbers(a: frozenset, b: frozenset) -> bool:
    """False when both texts report enough specific numbers and the smaller set is mostly not in
    the other (a template filled with other facts); True otherwise, numbers then say nothing."""
    small, big = (a, b) if len(a) <= len(b) else (b, a)
    if len(small) < NUMBERS_MIN:
        return True
    return len(small & big) >= NUMBERS_CONTAINMENT * len(small)


def _band_keys(band: np.ndarray) -> np.ndarray:
    """One 64-bit key per row of a (documents x rows) block of signature values."""
    key = np.zeros(band.shape[0], dtype=np.uint64)
    with np.errstate(over="ignore"):
        for col in range(band.shape[1]):
            key = (key ^ band[:, col].astype(np.uint64)) * np.uint64(0x9E3779B97F4A7C15)
            key ^= key >> np.uint64(29)
    return key
