"""Evaluate pipeline.stages.decode.detect.decode_bytes on re-encoded news articles.

Every article of the news sample (all with text, sorted by id) is encoded as
UTF-8, GBK, Big5 and UTF-16 (with BOM; LE and BE alternate by article), whole,
as prefixes of 2, 4, 8, 16 and 64 characters, and as 2- and 4-character
windows at a seeded random offset ("mid2", "mid4": prefixes are mostly titles,
often repeated across articles), and decoded back. For each encoding x length
it reports how often the detected encoding family is right and how often the
text comes back exactly; plus throughput on whole articles.

GBK and Big5 cannot encode every character (crawled text has U+00A0, private
use characters, ...), so those variants drop unencodable characters first and
are compared with that text. Big5 variants are converted with OpenCC s2tw, not
s2t: s2t's standard forms (爲, 着, 羣...) are mostly absent from Big5, which
would leave only ~10% of articles, whereas real Big5 text uses Taiwan forms.
Prefixes made only of ASCII are skipped: any ASCII-compatible label is right
for them.

`--catalogs` adds text nobody tuned on and the news lacks: the translated
messages of the system's gettext catalogs (/usr/share/locale/*/LC_MESSAGES/*.mo,
every language found), as UTF-8 (Latin with diacritics, Cyrillic, Greek,
Arabic, Hebrew, Indic, ...), Chinese ones also as GBK (zh_CN) and Big5
(zh_TW), and as files mixing encodings (zh_CN lines in GBK, another
language's in UTF-8). Catalogs are split by name (CRC32 parity) into "dev"
and "held-out"; figures are printed per split and not pinned (the catalogs
installed differ between machines).

Usage: .venv/bin/python eval/decode.py [--news PATH] [--check [--floors PATH]] [--print-floors] [--catalogs]
"""

from __future__ import annotations

import argparse
import gettext
import json
import random
import sys
import time
import zlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import opencc

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pipeline.inspect.floors import finish_floors, floor_options  # noqa: E402
from pipeline.stages.decode.detect import CharModel, decode_bytes  # noqa: E402

DEFAULT_NEWS = REPO.parent / "shared" / "data" / "news" / "news_zh.jsonl"
FLOORS = REPO / "eval" / "floors.toml"
SECTION = "decode"
LENGTHS = (2, 4, 8, 16, 64, None)  # prefixes; None = whole article
MID_LENGTHS = (2, 4)  # windows at a seeded random offset: prefixes are mostly titles
SEED = 20240601
ENCODINGS = ("utf-8", "gbk", "big5", "utf-16")
FAMILY = {
    "utf-8": "utf-8", "utf-8-sig": "utf-8",
    "gbk": "gb", "gb18030": "gb",
    "big5": "big5",
    "utf-16-le": "utf-16", "utf-16-be": "utf-16",
}


@dataclass
class Case:
    encoding: str  # family name from ENCODINGS
    column: str  # "len8" (prefix), "mid2" (window inside the text), "full"
    text: str
    data: bytes


def load_articles(path: Path) -> list[tuple[str, str]]:
    with path.open(encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    # Sorted by id so the sample does not depend on file order.
    return sorted((r["id"], r["text"]) for r in rows if r.get("text"))


def encodable(text: str, codec: str) -> tuple[str, str, int]:
    """(text without the characters `codec` cannot encode, codec, how many were dropped)."""
    kept = text.encode(codec, "ignore").decode(codec)
    return kept, codec, len(text) - len(kept)


def source_texts(text: str, index: int, to_trad: opencc.OpenCC) -> dict[str, tuple[str, str, int]]:
    """Family -> (text to encode, Python codec, characters dropped)."""
    utf16 = "utf-16-le" if index % 2 == 0 else "utf-16-be"
    return {
        "utf-8": (text, "utf-8", 0),
        "gbk": encodable(text, "gbk"),
        "big5": encodable(to_trad.convert(text), "cp950"),
        "utf-16": (text, utf16, 0),
    }


def encode(text: str, codec: str) -> bytes:
    bom = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}.get(codec, b"")
    return bom + text.encode(codec)


def build_cases(articles: list[tuple[str, str]]) -> tuple[list[Case], Counter]:
    to_trad = opencc.OpenCC("s2tw")
    rng = random.Random(SEED)
    cases, notes = [], Counter()
    for index, (_, article) in enumerate(articles):
        for family, (text, codec, dropped) in source_texts(article, index, to_trad).items():
            if dropped:
                notes[f"{family} articles with unencodable characters dropped"] += 1
                notes[f"{family} characters dropped"] += dropped
            pieces = [(length_key(n), n or 0, text[:n]) for n in LENGTHS]
            for n in MID_LENGTHS:
                at = rng.randrange(max(1, len(text) - n + 1))
                pieces.append((f"mid{n}", n, text[at : at + n]))
            for column, wanted, piece in pieces:
                if len(piece) < wanted:  # article shorter than the cut
                    continue
                if piece.isascii():
                    notes["pure-ASCII pieces skipped"] += 1
                    continue
                cases.append(Case(family, column, piece, encode(piece, codec)))
    return cases, notes


def length_key(length: int | None) -> str:
    return "full" if length is None else f"len{length}"


def columns() -> list[str]:
    return [length_key(n) for n in LENGTHS] + [f"mid{n}" for n in MID_LENGTHS]


def evaluate(cases: list[Case], model: CharModel) -> tuple[dict[str, float], dict]:
    tally: dict[tuple[str, str], list[int]] = {}  # (enc, len) -> [n, family ok, exact]
    speed: dict[str, list[float]] = {}  # enc -> [bytes, chars, seconds] on whole articles
    errors = []
    for case in cases:
        t0 = time.perf_counter()
        result = decode_bytes(case.data, model)
        elapsed = time.perf_counter() - t0
        family_ok = FAMILY.get(result.encoding) == FAMILY.get(case.encoding, case.encoding)
        exact = result.text == case.text
        cell = tally.setdefault((case.encoding, case.column), [0, 0, 0])
        cell[0] += 1
        cell[1] += family_ok
        cell[2] += family_ok and exact
        if case.column == "full":
            acc = speed.setdefault(case.encoding, [0, 0, 0.0])
            acc[0] += len(case.data)
            acc[1] += len(case.text)
            acc[2] += elapsed
        if not (family_ok and exact) and len(errors) < 12 and case.column != "full":
            errors.append((case.encoding, case.text, result.encoding, result.text))
    figures: dict[str, float] = {}
    for (enc, lk), (n, fam, ex) in tally.items():
        figures[f"accuracy_{key_enc(enc)}_{lk}"] = fam / n
        figures[f"exact_{key_enc(enc)}_{lk}"] = ex / n
    total = [sum(c[i] for c in tally.values()) for i in range(3)]
    figures["accuracy_overall"] = total[1] / total[0]
    figures["exact_overall"] = total[2] / total[0]
    speed["all"] = [sum(v[i] for v in speed.values()) for i in range(3)]
    extra = {"tally": tally, "speed": speed, "errors": errors}
    return figures, extra


def key_enc(enc: str) -> str:
    return enc.replace("-", "")  # TOML bare keys: utf8, utf16


def print_report(figures: dict[str, float], extra: dict, n_articles: int, notes: Counter) -> None:
    cols = columns()
    print(f"articles with text: {n_articles}; cases: {sum(c[0] for c in extra['tally'].values())}")
    for note, n in sorted(notes.items()):
        print(f"  {note}: {n}")
    print("family accuracy / exact-text accuracy (n cases)")
    print(f"{'encoding':<8}" + "".join(f"{c:>24}" for c in cols))
    for enc in ENCODINGS:
        row = f"{enc:<8}"
        for c in cols:
            n = extra["tally"].get((enc, c), [0])[0]
            if not n:
                row += f"{'-':>24}"
                continue
            fam = figures[f"accuracy_{key_enc(enc)}_{c}"]
            ex = figures[f"exact_{key_enc(enc)}_{c}"]
            row += f"{fam:.4f} / {ex:.4f} ({n})".rjust(24)
        print(row)
    overall = figures["accuracy_overall"], figures["exact_overall"]
    print(f"overall: family {overall[0]:.4f}, exact {overall[1]:.4f}")
    print("throughput on whole articles (decode_bytes only):")
    for enc, (nbytes, nchars, seconds) in extra["speed"].items():
        print(
            f"  {enc:<7} {nbytes / 1e6:6.2f} MB  {nbytes / 1e6 / seconds:7.1f} MB/s"
            f"  {nchars / 1e6 / seconds:6.2f} M chars/s"
        )
    if extra["errors"]:
        print("some short misses (encoding, text -> detected, decoded):")
        for enc, text, got, decoded in extra["errors"]:
            print(f"  {enc:<6} {text!r} -> {got} {decoded!r}")


CATALOGS = Path("/usr/share/locale")
PER_LANGUAGE = 60  # messages sampled per language and split
MIXED_LINES = 6  # lines of each encoding per mixed file


def load_catalogs(root: Path) -> dict[tuple[str, str], list[str]]:
    """(split, language) -> translated messages that are not all ASCII, sampled."""
    found: dict[tuple[str, str], set[str]] = {}
    for path in sorted(root.glob("*/LC_MESSAGES/*.mo")):
        split = "dev" if zlib.crc32(path.stem.encode()) % 2 == 0 else "held-out"
        try:
            with path.open("rb") as fh:
                catalog = gettext.GNUTranslations(fh)
        except (OSError, ValueError, LookupError):  # not a catalog, or an unknown charset
            continue
        messages = found.setdefault((split, path.parts[-3]), set())
        for value in catalog._catalog.values():  # msgid -> msgstr; plural forms as separate values
            for line in str(value).splitlines():
                if line.strip() and not line.isascii():
                    messages.add(line.strip())
    rng = random.Random(SEED)
    return {key: rng.sample(sorted(msgs), min(PER_LANGUAGE, len(msgs))) for key, msgs in sorted(found.items()) if msgs}


def catalog_cases(catalogs: dict[tuple[str, str], list[str]]) -> list[tuple[str, str, str, bytes]]:
    """(split, group, expected text, bytes); the group names what the bytes are."""
    cases = []
    for (split, lang), messages in catalogs.items():
        for text in messages:
            cases.append((split, f"utf-8 {lang}", text, text.encode("utf-8")))
            for prefix, codec, label in (("zh_CN", "gbk", "gbk"), ("zh_TW", "cp950", "big5")):
                if lang.startswith(prefix):
                    kept = text.encode(codec, "ignore").decode(codec)
                    if not kept.isascii():
                        cases.append((split, f"{label} {lang}", kept, kept.encode(codec)))
    for split in ("dev", "held-out"):
        chinese = [t.encode("gbk", "ignore").decode("gbk") for t in catalogs.get((split, "zh_CN"), [])]
        chinese = [t for t in chinese if not t.isascii()]
        for (s, lang), messages in catalogs.items():
            if s != split or lang.startswith("zh") or len(messages) < MIXED_LINES or len(chinese) < MIXED_LINES:
                continue
            lines = [(t, "gbk") for t in chinese[:MIXED_LINES]] + [(t, "utf-8") for t in messages[:MIXED_LINES]]
            random.Random(f"{SEED}{lang}").shuffle(lines)
            text = "".join(t + "\n" for t, _ in lines)
            cases.append((split, "mixed gbk+utf-8", text, b"".join((t + "\n").encode(c) for t, c in lines)))
    return cases


def evaluate_catalogs(root: Path, model: CharModel) -> None:
    catalogs = load_catalogs(root)
    if not catalogs:
        print(f"catalogs: none under {root}")
        return
    tally: dict[tuple[str, str], list[int]] = {}  # (split, group) -> [n, exact]
    misses: dict[str, list] = {}
    for split, group, text, data in catalog_cases(catalogs):
        result = decode_bytes(data, model)
        ok = result.text == text
        if group.startswith("mixed"):
            ok = ok and result.mixed_lines > 0
        cell = tally.setdefault((split, group), [0, 0])
        cell[0] += 1
        cell[1] += ok
        if not ok and len(misses.setdefault(split, [])) < 8:
            misses[split].append((group, text[:40], result.encoding, result.text[:40]))
    print(f"gettext catalogs under {root}: {len(catalogs)} (split, language) sets")
    for split in ("dev", "held-out"):
        cells = {g: c for (s, g), c in tally.items() if s == split}
        for kind in ("utf-8", "gbk", "big5", "mixed"):
            part = {g: c for g, c in cells.items() if g.split()[0] == kind}
            n, ok = sum(c[0] for c in part.values()), sum(c[1] for c in part.values())
            if n:
                worst = sorted(part.items(), key=lambda gc: gc[1][1] / gc[1][0])[:5]
                shown = ", ".join(f"{g.split(' ', 1)[1]} {c[1]}/{c[0]}" for g, c in worst if c[1] < c[0])
                print(f"  {split:<8} {kind:<6} exact {ok / n:.4f} ({ok}/{n}; {len(part)} languages)"
                      + (f"; worst: {shown}" if shown else ""))
        for group, text, got, decoded in misses.get(split, []):
            print(f"    miss {group}: {text!r} -> {got} {decoded!r}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--news", type=Path, default=DEFAULT_NEWS)
    floor_options(ap, SECTION, FLOORS)
    ap.add_argument("--catalogs", action="store_true",
                    help=f"also decode the gettext catalogs under {CATALOGS} (printed, not pinned)")
    args = ap.parse_args(argv)

    articles = load_articles(args.news)
    cases, notes = build_cases(articles)
    model = CharModel.load()
    figures, extra = evaluate(cases, model)
    print_report(figures, extra, len(articles), notes)
    if args.catalogs:
        evaluate_catalogs(CATALOGS, model)
    return finish_floors(figures, args, SECTION)


if __name__ == "__main__":
    sys.exit(main())
