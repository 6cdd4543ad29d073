"""The clean stage's parts: line views, rule loading, furniture, metadata, spam, scores.

`decide.clean_document` puts them together; `pipeline.stages.clean.stage` wraps it
as a stage.
"""
