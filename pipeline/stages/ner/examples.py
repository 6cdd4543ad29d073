"""The ner rules' examples as runnable cases: name rules through the span_ruler, completion examples
through the merge's completion steps, both on the segment stage's words."""

from __future__ import annotations

from pipeline.core.examples import ExampleCase, Prepare, sample_doc
from pipeline.stages.ner.merge import Span, complete, complete_left
from pipeline.stages.ner.rulefile import NameRule
from pipeline.stages.ner.ruler import NameRuler


def name_rule_cases(rules: list[NameRule], prepare: Prepare, ruler: NameRuler | None = None) -> list[ExampleCase]:
    """An example must be matched whole (`match`, or the whole text); a counterexample not at all.

    One ruler runs all the rules (spaCy's span_ruler keeps every match), each case looks at its rule's.
    """
    ruler = ruler or NameRuler(rules)

    def check(rule: NameRule, case, counter: bool) -> str | None:
        text = case if isinstance(case, str) else case["text"]
        doc = prepare(sample_doc(text))
        found = [(text[s:e], label, rid) for s, e, label, rid in
                 ruler.find(text, [(t.start, t.end, t.pos) for t in doc.tokens]) if rid == rule.id]
        if counter:
            return f"matched {found}" if found else None
        want = case if isinstance(case, str) else case["match"]
        return None if (want, rule.label, rule.id) in found else f"no whole match {want!r}; found {found}"

    return [ExampleCase(r.id, r.path, r.line, counter, case, lambda r=r, case=case, counter=counter: check(r, case, counter))
            for r in rules for counter, cases in ((False, r.examples), (True, r.counterexamples)) for case in cases]


def completion_cases(completion, examples, prepare: Prepare) -> list[ExampleCase]:
    """With an anchor, completion from it must give `name`; without, a company name grown leftwards."""
    out = []
    for e in examples:
        def check(e=e) -> str | None:
            text, name = e["text"], e["name"]
            tokens = list(prepare(sample_doc(text)).tokens)
            if e["anchor"] is not None:
                start = text.index(e["anchor"])
                anchor = Span(start, start + len(e["anchor"]), e["label"], "model", "ner.model", None, 0.9)
                got = [text[s.start:s.end] for s in complete([anchor], text, tokens, completion)
                       if s.rule_id == completion.id]
            else:
                got = [text[s.start:s.end] for s in complete_left([], text, tokens, completion)
                       if s.rule_id == completion.left_id][:1]
            return None if got == ([name] if name else []) else f"gives {got}"

        rule_id = completion.id if e["anchor"] is not None else completion.left_id
        out.append(ExampleCase(rule_id, e.path, e.line, False, {k: v for k, v in e.values.items() if v is not None},
                               check))
    return out



def abbreviation_cases(abbrev, examples, prepare: Prepare) -> list[ExampleCase]:
    """The abbreviations found in the text, `char:full name` in order, must be exactly `names`."""
    out = []
    for e in examples:
        def check(e=e) -> str | None:
            text = e["text"]
            words = [(t.start, t.end, t.pos) for t in prepare(sample_doc(text)).tokens]
            got = [f"{text[s:t]}:{name}" for s, t, name, _, _ in abbrev.find(text, words)]
            return None if got == list(e["names"]) else f"gives {got}"

        out.append(ExampleCase(abbrev.id, e.path, e.line, False, {"text": e["text"], "names": list(e["names"])}, check))
    return out
