"""A fact's `context` column: the sentence around it, read from the clean text alone."""

from pipeline.core.document import Document, Fact
from pipeline.run.outputs import fact_context


def _fact(text: str, surface: str) -> Fact:
    i = text.index(surface)
    return Fact("d", "x", "money", surface, {}, i, i + len(surface), i, i + len(surface), None, "r", 1, "rule", 0.9)


def test_the_sentence_between_sentence_ends_with_its_closing_quote():
    text = "他说：“甲。”今年投资5亿元！乙方\n第二行"
    doc = Document(doc_id="d", source="s", original=text, text=text)
    assert fact_context(doc, _fact(text, "5亿元")) == "今年投资5亿元！"
    assert fact_context(doc, _fact(text, "甲")) == "他说：“甲。”"
    assert fact_context(doc, _fact(text, "乙方")) == "乙方"
    assert fact_context(doc, _fact(text, "第二")) == "第二行"


def test_the_context_ignores_the_segment_stages_sentences():
    text = "甲。今年投资5亿元！"
    bare = Document(doc_id="d", source="s", original=text, text=text)
    segmented = Document(doc_id="d", source="s", original=text, text=text, sentences=("not read",))
    fact = _fact(text, "5亿元")
    assert fact_context(bare, fact) == fact_context(segmented, fact) == "今年投资5亿元！"
