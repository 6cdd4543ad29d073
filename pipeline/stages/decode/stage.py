"""decode: bytes to text, with the encoding and how sure we are of it."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Any, Mapping

from pipeline.stages.decode.detect import CharModel, decode_bytes
from pipeline.core.document import Document
from pipeline.core.schema import Float, Kind
from pipeline.core.stage import Assigns, Stage

# The character model detection scores candidates with; part of the fingerprint.
CHAR_FREQ = "data/char_freq.tsv"


class BinaryInputError(ValueError):
    """The input is not text (an image, an archive, ...)."""


class DecodeStage(Stage):
    name = "decode"
    # 2: letters of alphabetic scripts in UTF-8 stay UTF-8; files mixing encodings
    # are decoded line by line (flag encoding_mixed)
    version = 2
    assigns = Assigns(original=True, meta={"encoding": "string", "encoding_confidence": "float"})
    settings_kind = Kind("settings.decode", "Settings of the decode stage ([stages.decode]).", {
        "min_confidence": Float("below this detection confidence, flag encoding_uncertain", default=0.9,
                                minimum=0, maximum=1),
    })

    def __init__(self, settings: Mapping[str, Any], rules_dir: Path, cache_dir: Path | None = None):
        super().__init__(settings, rules_dir, cache_dir)
        self._model = CharModel.load()

    def libraries(self) -> dict[str, str]:
        data = resources.files("pipeline.stages.decode").joinpath(CHAR_FREQ).read_bytes()
        return {CHAR_FREQ: hashlib.sha256(data).hexdigest()[:16]}

    def __call__(self, doc: Document) -> Document:
        if isinstance(doc.raw, str):  # JSONL text: already decoded, UTF-8 by definition
            text = doc.raw
            doc = doc.with_meta(encoding="utf-8", encoding_confidence=1.0)
            replacements = mixed = 0
        else:
            decoded = decode_bytes(doc.raw or b"", self._model)
            if decoded.binary:
                raise BinaryInputError(
                    f"{len(doc.raw or b'')} bytes that look binary, not text; skipped"
                )
            text = decoded.text
            replacements = decoded.replacements
            mixed = decoded.mixed_lines
            doc = doc.with_meta(
                encoding=decoded.encoding, encoding_confidence=round(decoded.confidence, 4)
            )
        uncertain = doc.meta["encoding_confidence"] < self.settings["min_confidence"]
        doc = doc.with_flags(
            decode_replacements=replacements,
            # Lines decoded in another encoding than most (encoding is then "gbk+utf-8").
            encoding_mixed=mixed,
            encoding_uncertain=int(uncertain and bool(text)),
            empty=int(not text.strip()),
        )
        # The decoded text is the original every offset refers to; drop the bytes.
        return replace(doc, raw=None, original=text, text=text, layers=())
