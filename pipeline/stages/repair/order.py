"""The repair fixers by name, in the order they run, and why that order.

1. `gbk_latin1`: GBK read as Latin-1 (`ÖÐÎÄ`). First, because ftfy would
   take a run that also happens to be valid UTF-8 for its own case (`É¬`,
   GBK for 涩, is UTF-8 for `ɬ`), and because GBK bytes read as Latin-1
   include C1 controls and U+00AD, which the invisible fixer deletes.
2. `ftfy`: UTF-8 read as Latin-1/cp1252. Its detection works on the exact
   characters the wrong decoding produced, so it sees them before anything
   else removes or changes one (its C1-control repair, for instance, needs
   the C1 characters the invisible fixer would delete).
3. `invisible`: zero-width and control characters. Early, because they sit
   inside words and would hide an annotation (`聯\u200b(lián)`) or a homoglyph
   from the fixers after it; no fixer after it can produce one.
4. `utf8_gbk`: UTF-8 read as GBK (`鏂板崕`). A whole-run round trip that needs
   the run intact; before the frame-shift fixers, which would otherwise read
   its `?` as a lost GBK byte.
5. `frameshift_pinyin`: GBK frame shifts next to an orphaned annotation
   (`?qū)`). Needs the annotations (its evidence) and the exact characters of
   the shifted run, full-width forms included, so it runs before the pinyin
   and width fixers. Its repairs can re-expose an annotation (`業(yè)`).
6. `frameshift_lm`: frame shifts without evidence, after the ones with
   evidence have taken the `?` they explain.
7. `pinyin`: annotation removal, after every fixer that may realign one.
8. `homoglyphs`: 蕞 -> 最, on text whose characters are now the real ones.
9. `width`: full-width letters and digits to ASCII, last: the frame-shift
   fixers read full-width forms as the GBK bytes they came from.
"""

from __future__ import annotations

ORDER = (
    "gbk_latin1",
    "ftfy",
    "invisible",
    "utf8_gbk",
    "frameshift_pinyin",
    "frameshift_lm",
    "pinyin",
    "homoglyphs",
    "width",
)
