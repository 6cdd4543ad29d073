"""The stages, one package each, in pipeline order: decode, repair, convert, clean, segment, ner, extract.

`registry` knows them by name and builds them from `rules/pipeline.toml`.
"""
