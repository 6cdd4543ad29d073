"""Rule extractors: one module per fact type, each fed by one rule file in `rules/extract/`.

`base` holds what every extractor shares (loading and compiling its rule file,
its fingerprint, running its rules), `overlap` the one policy that decides
which candidate keeps a stretch of text, and `money`, `percent`, `count`,
`date` the normalisers that turn a match into a fact's value.
"""
