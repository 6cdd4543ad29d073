"""The clean rules' examples and counterexamples as runnable cases, run through the stage.

Line examples are placed in a document where the rule may fire: between two
article paragraphs for rules allowed anywhere, before them for head rules,
after them for tail rules. Counterexamples are tried in every zone.
"""

from __future__ import annotations

from typing import Any, Callable

from pipeline.core.examples import ExampleCase, Prepare, sample_doc
from pipeline.stages.clean.scores import spun_counts

P1 = "青岛市科技局今天发布消息称,全市高新技术企业数量突破一万家,同比增长百分之二十,创下历史新高。"
P2 = "据介绍,今年以来全市新增国家级创新平台十二个,技术合同成交额达到三百亿元,较去年同期明显增长。"
ALL_ZONES = ("head", "body", "tail")
# Rules whose passes need more than one line (or none): their examples are not single cases.
_NO_CASES = ("layout",)
BYLINE_FIELDS = ("author", "editor", "news_source", "original_title")


def place(text: str, zone: str) -> str:
    if zone == "head":
        return f"{text}\n{P1}\n{P2}\n"
    if zone == "tail":
        return f"{P1}\n{P2}\n{text}\n"
    return f"{P1}\n{text}\n{P2}\n"


def fired(result) -> set[str]:
    return {e.rule_id for e in result.edits}


def first_zone(rule) -> str:
    zones = getattr(rule, "zones", frozenset({"any"}))
    return "body" if "any" in zones else (sorted(zones - {"body"}) or ["body"])[0]


def clean_cases(stage, prepare: Prepare) -> list[ExampleCase]:
    rules = stage.rules

    def run(text: str):
        return stage.run(prepare(sample_doc(text)))

    def line_rule(rule, case, counter):
        if counter:
            bad = [z for z in ALL_ZONES if rule.id in fired(run(place(case, z))[1])]
            return f"fired in zone(s) {', '.join(bad)}" if bad else None
        zone = "tail" if rule.kind in ("island", "list_after", "duplicate") else first_zone(rule)
        _, result = run(place(case, zone))
        return None if rule.id in fired(result) else f"did not fire (in the {zone}); removed {dict(result.removed)}"

    meta_ids = {r.id for r in rules.fields} | {rules.header_line_id}

    def field_rule(rule, case, counter):
        if counter:
            for zone in ALL_ZONES:
                doc, result = run(place(case, zone))
                if fired(result) & meta_ids or rule.field in doc.meta:
                    return f"lifted {doc.meta.get(rule.field)!r} in the {zone}"
            return None
        line, value = case
        doc, result = run(place(line, "head"))
        if doc.meta.get(rule.field) != value:
            return f"lifted {doc.meta.get(rule.field)!r}"
        first = doc.text.split("\n")[0]
        if not fired(result) & meta_ids or (line.split(":")[-1][:2] in first and P1 not in first):
            return "the line was not removed"
        return None

    def title_rule(rule, case, counter):
        if counter:
            doc, _ = run(place(case, "head"))
            return f"title {doc.meta['title']!r}" if "title" in doc.meta else None
        line, value = case
        doc, result = run(place(line, "head"))
        if doc.meta.get("title") != value or rule.id not in fired(result):
            return f"title {doc.meta.get('title')!r}"
        return None

    def byline_rule(rule, case, counter):
        # Bylines stand inside a line: the case is the line, placed before the paragraphs, or after
        # them (the article's last line, where a closing signature stands).
        if counter:
            for zone in ("head", "tail"):
                doc, result = run(place(case, zone))
                got = {k: doc.meta[k] for k in BYLINE_FIELDS if k in doc.meta}
                if got or rule.id in fired(result):
                    return f"lifted {got} in the {zone}"
            return None
        want = dict(kv.split("=", 1) for kv in case[1].split(";"))
        for zone in ("head", "tail"):
            doc, result = run(place(case[0], zone))
            got = {k: ("、".join(doc.meta["news_sources"]) if k == "news_source" else doc.meta[k])
                   for k in BYLINE_FIELDS if k in doc.meta}
            if got == want:
                return None if rule.id in fired(result) else "not removed"
        return f"lifted {got}"

    def spam_line(rule, case, counter):
        if counter:
            for zone in ALL_ZONES:
                doc, result = run(place(case, zone))
                if [r for r in result.removed.values() if r.cls == "spam"] or "spam" in doc.flags:
                    return f"removed as spam in the {zone}"
            return None
        _, result = run(place(case, "body"))
        if not [r for r in result.removed.values() if r.cls == "spam"]:
            return "line kept"
        return None if stage.cleaner.scorer.decide(case) is not None else "no spam line rule decides it"

    def classifier(rule, case, counter):
        # The classifier runs after the line rules: its examples are lines none of them removes.
        p = stage.cleaner.classifier.probability(case)
        if counter:
            return f"probability {p:.3f}" if p >= rule.threshold else spam_line(rule, case, True)
        if stage.cleaner.scorer.decide(case) is not None:
            return "a line rule removes it first: not an example of the classifier"
        _, result = run(place(case, "body"))
        return None if rule.id in fired(result) else f"kept (probability {p:.3f})"

    def inline_rule(rule, case, counter):
        line, after = (case, case) if counter else case
        doc, result = run(place(line, "body"))
        got = doc.text.split("\n")[1]
        if got != after:
            return f"gives {got!r}"
        if counter:
            return f"fired {sorted(fired(result))}" if fired(result) else None
        return None if rule.id in fired(result) and doc.flags.get("spam") else "did not fire"

    def shape_rule(rule, case, counter):
        # A shape needs its page: the case is the whole text (lines with \n), after the paragraphs.
        text, after = (case, case) if counter else case
        doc, result = run(f"{P1}\n{text}\n")
        got = doc.text[len(P1) + 1:].rstrip("\n")
        if got != after:
            return f"gives {got!r}"
        if counter:
            return f"fired {sorted(fired(result))}" if fired(result) else None
        return None if rule.id in fired(result) and doc.flags.get("spam") else "did not fire"

    def lexicon(rule, case, counter):
        weight = stage.cleaner.scorer.evidence(case).weight
        if counter:
            return f"weight {weight}" if weight >= 1.0 else None
        return None if weight > 0 else "no weight"

    def domains(rule, case, counter):
        listed = stage.cleaner.scorer._is_spam_domain(case)
        return ("listed" if counter else "not listed") if listed == counter else None

    def spun(rule, case, counter):
        hits = spun_counts(case, (rule,))[0]
        return (f"{hits} spun phrase(s)" if hits else None) if counter else (None if hits else "not spun")

    def spun_table(rule, case, counter):
        if counter:
            hits = spun_counts(case, (), rule)[0]
            return f"{hits} spun phrase(s)" if hits else None
        text, after = case
        doc, result = run(text)
        if doc.text.rstrip("\n") != after:
            return f"gives {doc.text!r} (flags {dict(doc.flags)})"
        return None if rule.id in fired(result) else "nothing restored"

    def spun_context(rule, case, counter):
        text, after = (case, case) if counter else case
        doc, result = run(text)
        if doc.text.rstrip("\n") != after:
            return f"gives {doc.text!r} (flags {dict(doc.flags)})"
        if counter:
            return f"flagged spun ({doc.meta.get('spun_score')})" if doc.flags.get("spun") else None
        return None if rule.id in fired(result) else "nothing restored in context"

    checks: list[tuple[Any, Callable]] = [
        *((r, line_rule) for r in rules.lines if r.kind not in _NO_CASES),
        *((r, field_rule) for r in rules.fields),
        *(((rules.byline, byline_rule),) if rules.byline is not None else ()),
        (rules.title, title_rule),
        *((r, spam_line) for r in rules.spam_lines),
        *(((rules.classifier, classifier),) if rules.classifier is not None else ()),
        *((r, inline_rule) for r in rules.inline),
        *((r, shape_rule) for r in rules.inline_shapes),
        *((r, lexicon) for r in rules.lexicons),
        (rules.domain_rule, domains),
        *((r, spun) for r in rules.spun),
        *(((rules.spun_table, spun_table),) if rules.spun_table is not None else ()),
        *(((rules.spun_context, spun_context),) if rules.spun_context is not None else ()),
    ]
    out = []
    for rule, check in checks:
        entry = rules.entries[rule.id]
        for counter, key in ((False, "examples"), (True, "counterexamples")):
            for i, case in enumerate(getattr(rule, key)):
                out.append(ExampleCase(rule.id, entry.path, entry.line_of(key, i), counter, case,
                                       lambda rule=rule, case=case, counter=counter, check=check:
                                       check(rule, case, counter)))
    return out
