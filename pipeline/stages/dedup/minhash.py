"""MinHash signatures over character shingles, and comparing them.

A document's clean text is reduced to its word characters (Han, letters,
digits: punctuation, spaces and line breaks are what reposts change without
changing the article), lowercased, and cut into overlapping `shingle`-character
windows. Each window is hashed to 32 bits (a polynomial over code points,
mixed by the splitmix64 finaliser: no `hash()`, whose value changes between
processes), and the signature keeps, for each of `permutations` universal
hash functions `(a*x + b) mod (2**61 - 1)`, the smallest value over the
windows. The share of equal positions in two signatures estimates the Jaccard
similarity of their window sets.

Everything is a pure function of the text and the settings, so signatures
are the same in every process, engine and run.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

MERSENNE = np.uint64((1 << 61) - 1)
MASK32 = np.uint64(0xFFFFFFFF)
# Windows hashed per block: bounds the (windows x permutations) matrix of a long text to ~32 MB.
_BLOCK = 32768 // 8
_WORD_CHARS = re.compile(r"[^\W_]+")
_POLY = np.uint64(1000003)


@dataclass(frozen=True)
class Signature:
    """A document's MinHash values and how many distinct windows its text has."""

    values: np.ndarray  # uint32, one per permutation
    shingles: int

    def encode(self) -> str:
        """`SHINGLES:HEX` (big-endian 32-bit values): the documents.parquet form."""
        return f"{self.shingles}:{self.values.astype('>u4').tobytes().hex()}"

    @classmethod
    def decode(cls, text: str) -> Signature:
        count, _, hexed = text.partition(":")
        values = np.frombuffer(bytes.fromhex(hexed), dtype=">u4").astype(np.uint32)
        return cls(values, int(count))


def normalise(text: str) -> str:
    """The characters shingled: word characters only, lowercased."""
    return "".join(_WORD_CHARS.findall(text)).lower()


@lru_cache(maxsize=8)
def _coefficients(permutations: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The (a, b) of each permutation, derived from `seed` by SHA-256 (stable across numpy versions)."""
    a, b = [], []
    for i in range(permutations):
        digest = hashlib.sha256(f"minhash:{seed}:{i}".encode()).digest()
        a.append(int.from_bytes(digest[:4], "big") | 1)  # odd, non-zero, < 2**32: a*x fits in 64 bits
        b.append(int.from_bytes(digest[4:8], "big"))
    return np.array(a, dtype=np.uint64), np.array(b, dtype=np.uint64)


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: spreads the polynomial hash's bits (uint64 arithmetic wraps)."""
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def shingle_hashes(text: str, shingle: int) -> np.ndarray:
    """The distinct 32-bit hashes of the normalised text's `shingle`-character windows (sorted)."""
    chars = normalise(text)
    if not chars:
        return np.zeros(0, dtype=np.uint64)
    codes = np.frombuffer(chars.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    width = min(shingle, len(codes))  # a text shorter than a window is one window
    n = len(codes) - width + 1
    h = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(width):
            h = h * _POLY + codes[j : j + n]
        return np.unique(_mix(h) & MASK32)


def signature(text: str, shingle: int, permutations: int, seed: int) -> Signature | None:
    """The text's signature; None when it has no word characters (nothing to compare)."""
    hashes = shingle_hashes(text, shingle)
    if len(hashes) == 0:
        return None
    a, b = _coefficients(permutations, seed)
    low = np.full(permutations, np.iinfo(np.uint64).max, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for start in range(0, len(hashes), _BLOCK):
            block = hashes[start : start + _BLOCK, None]
            values = ((block * a + b) % MERSENNE) & MASK32
            low = np.minimum(low, values.min(axis=0))
    return Signature(low.astype(np.uint32), len(hashes))


def similarity(x: Signature, y: Signature) -> float:
    """Estimated Jaccard similarity of the two texts' window sets."""
    return float(np.mean(x.values == y.values))


def containment(x: Signature, y: Signature) -> float:
    """Estimated share of the smaller text's windows found in the other (a truncated copy's is high).

    From the Jaccard estimate J and the set sizes: |A∩B| = J(|A|+|B|)/(1+J).
    """
    j = similarity(x, y)
    both = j * (x.shingles + y.shingles) / (1 + j)
    return min(1.0, both / min(x.shingles, y.shingles))
