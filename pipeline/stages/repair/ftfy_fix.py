"""ftfy, configured so that it never touches Chinese typography.

ftfy repairs UTF-8 read as Latin-1/cp1252 (`Ã©` for `é`, `â€œ` for `“`),
HTML entities in plain text, terminal escapes and surrogates. Its defaults
would also turn `“”` into `""` (uncurl_quotes) and `，：（` into `,:(`
(fix_character_width, NFKC), so those are off, as is everything another
fixer of this stage owns (control characters, line breaks) or that changes
correct text (ligatures, Unicode normalisation).

ftfy is only called on lines holding a character its repairs start from: a
Latin-1/Latin Extended/Cyrillic letter, box drawing, U+FFFD, an escape or an
`&`. Chinese lines without those pass untouched at the cost of one regex scan.
"""

from __future__ import annotations

import re

import ftfy

from pipeline.core.align import diff_edits
from pipeline.core.document import Edit
from pipeline.stages.repair.base import Fixer

RULE_ID = "repair.ftfy"

CONFIG = ftfy.TextFixerConfig(
    unescape_html="auto",
    remove_terminal_escapes=True,
    fix_encoding=True,
    restore_byte_a0=True,
    replace_lossy_sequences=True,
    decode_inconsistent_utf8=True,
    fix_c1_controls=True,
    fix_latin_ligatures=False,
    fix_character_width=False,
    uncurl_quotes=False,
    fix_line_breaks=False,
    fix_surrogates=True,
    remove_control_chars=False,
    normalization=None,
    explain=False,
)

# Where ftfy can have something to do. Latin-1 symbols Chinese text uses on
# their own (· × ÷ ° ± § ¨ and no-break space) are left out: mojibake that
# contains them always contains a lead byte in U+00C2-U+00F4 as well.
_TRIGGER = re.compile(
    "[\u0080-\u009f\u00a1-\u00a6\u00a9-\u00af\u00b2-\u00b6\u00b8-\u00d6\u00d8-\u00f6\u00f8-\u052f"
    "\u2500-\u257f\ufffd\x1b\ud800-\udfff]|&#?[0-9A-Za-z]+;"
)


class FtfyFixer(Fixer):
    name = "ftfy"
    rule_ids = (RULE_ID,)

    def edits(self, text: str) -> list[Edit]:
        if not _TRIGGER.search(text):
            return []
        edits: list[Edit] = []
        offset = 0
        for line in text.splitlines(keepends=True):
            if _TRIGGER.search(line):
                fixed = ftfy.fix_text(line, CONFIG)
                if fixed != line:
                    edits.extend(
                        Edit(e.start + offset, e.end + offset, e.replacement, e.rule_id)
                        for e in diff_edits(line, fixed, RULE_ID)
                    )
            offset += len(line)
        return edits
