"""Fixers for the repair stage: one module per kind of character damage.

A fixer looks at the whole text and returns edits (`pipeline.core.document.Edit`),
each carrying the rule id of the fixer that made it. Fixers are pure: no
state changes after construction, so one instance serves every document.
Each has a cheap trigger test, so undamaged text costs a scan, not a repair.

The order they run in is `pipeline.stages.repair.order.ORDER`; why that order is
explained there.
"""
