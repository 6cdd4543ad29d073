"""Sogou-style crawl dumps: one document per `<doc>` record."""

import codecs

import pytest

from pipeline.run.dumps import is_dump, split_dump
from pipeline.run.inputs import InputError, InputRecord, expand, read_inputs

ARTICLES = [
    ("a1", "http://news.sohu.com/20120706/n1.shtml", "深圳地铁将设立头等车厢",
     "深圳今后将设地铁头等车厢。2012年7月5日，深圳市政府副秘书长赵鹏林透露了这一消息。"),
    ("a2", "http://news.sohu.com/20120724/n2.shtml", "消防设施３年仍不过关",
     "他为女儿投资100万元建了一所幼儿园，消防设施却三年未过关。"),
    ("a3", "http://news.sohu.com/20120801/n3.shtml", "A&amp;B 公司",
     "8月1日，北京市发布了新的扶持政策。"),
]


def record(docno, url, title, content, closed=True):
    rec = f"<doc>\n<url>{url}</url>\n<docno>{docno}</docno>\n<contenttitle>{title}</contenttitle>\n<content>{content}</content>\n"
    return rec + ("</doc>\n" if closed else "")


def dump(encoding="gbk", broken=None):
    text = "".join(record(*a, closed=(k != broken)) for k, a in enumerate(ARTICLES))
    if encoding == "utf-16":
        return codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    return text.encode(encoding)


@pytest.mark.parametrize("encoding", ["gbk", "utf-8", "utf-16"])
def test_each_record_is_a_document_with_its_metadata(tmp_path, encoding):
    f = tmp_path / "news_tensite_xml.dat"
    f.write_bytes(dump(encoding))
    items = list(read_inputs(expand([f])))
    assert all(isinstance(i, InputRecord) for i in items)
    assert [i.doc_id for i in items] == ["a1", "a2", "a3"]
    assert [i.meta["url"] for i in items] == [a[1] for a in ARTICLES]
    assert [i.meta["title"] for i in items] == ["深圳地铁将设立头等车厢", "消防设施３年仍不过关", "A&B 公司"]
    assert [i.source for i in items] == [f"{f.as_posix()}#{n}" for n in (1, 2, 3)]
    # The content's own bytes, for the decode stage to detect.
    raw = items[1].raw
    assert (raw.decode("utf-16") if encoding == "utf-16" else raw.decode(encoding)) == ARTICLES[1][3]


def test_a_big5_dump_keeps_its_titles(tmp_path):
    f = tmp_path / "tw.txt"
    f.write_bytes(record("b1", "http://x/1", "台灣新聞", "台北市政府今天發布了新的政策，民眾反應熱烈。").encode("cp950"))
    (item,) = read_inputs(expand([f]))
    assert (item.doc_id, item.meta["title"]) == ("b1", "台灣新聞")
    assert item.raw == "台北市政府今天發布了新的政策，民眾反應熱烈。".encode("cp950")


def test_a_malformed_record_is_an_error_and_the_others_run(tmp_path):
    f = tmp_path / "dump.txt"
    f.write_bytes(dump(broken=1) + b"<doc><url>http://y</url></doc>")
    items = list(read_inputs(expand([f])))
    errors = [i for i in items if isinstance(i, InputError)]
    assert [i.doc_id for i in items if isinstance(i, InputRecord)] == ["a1", "a3"]
    assert [(e.source.rsplit("#", 1)[1], e.error) for e in errors] == [("2", "MalformedDump"), ("4", "MalformedDump")]
    assert "without </doc>" in errors[0].message and "without <content>" in errors[1].message


def test_records_without_docno_are_numbered_and_other_files_are_left_alone(tmp_path):
    f = tmp_path / "d.txt"
    f.write_bytes("<doclist>\n<doc><content>一</content></doc>\n<doc><content>二</content></doc>\n</doclist>".encode("gbk"))
    items = list(read_inputs(expand([f])))
    assert [i.doc_id for i in items] == [f"{f.as_posix()}#1", f"{f.as_posix()}#2"]
    page = InputRecord("p", "p", "<html><doc>不是</doc>".encode("gbk"))
    assert not is_dump(page.raw) and split_dump(page) == [page]


def test_facts_point_into_their_own_article(tmp_path, config):
    from pipeline.run.runner import Timings, process
    from pipeline.stages.registry import build_stages

    f = tmp_path / "dump.txt"
    f.write_bytes(dump())
    stages = build_stages(config, ["decode", "repair", "convert", "clean", "segment", "extract"])
    outcomes = list(process(read_inputs(expand([f])), stages, Timings()))
    docs = {o.document.doc_id: o.document for o in outcomes}
    assert set(docs) == {"a1", "a2", "a3"}
    for doc_id, _, _, content in ARTICLES:
        doc = docs[doc_id]
        assert doc.original == content
        assert doc.facts, doc_id
        for fact in doc.facts:
            assert doc.text[fact.start : fact.end] == fact.text
            a, b = doc.to_original(fact.start, fact.end)
            assert content[a:b]  # inside this article


def big_dump(records: int = 40, filler: str = "新闻内容。") -> bytes:
    return "".join(record(f"d{k}", f"http://x/{k}", f"标题{k}", filler * (k % 7 + 1)) for k in range(records)).encode("gbk")


@pytest.mark.parametrize("chunk", [7, 64, 1 << 20])
def test_a_dump_is_streamed_whatever_the_chunk_boundaries(chunk):
    import io

    from pipeline.run.dumps import read_dump, stream_dump

    data = big_dump()
    whole = list(read_dump(data, "f", "f"))
    fh = io.BytesIO(data)
    head = fh.read(100)
    assert list(stream_dump(fh, head, "f", "f", max_bytes=1000, chunk=chunk)) == whole
    assert [i.doc_id for i in whole] == [f"d{k}" for k in range(40)]


def test_a_dump_larger_than_the_size_limit_is_read_record_by_record(tmp_path):
    f = tmp_path / "dump.dat"
    data = big_dump(200)
    f.write_bytes(data)
    limit = 600  # bytes: every record fits, the file is ~60 times larger
    assert len(data) > 50 * limit
    items = list(read_inputs(expand([f]), max_bytes=limit))
    assert [i.doc_id for i in items] == [f"d{k}" for k in range(200)]
    from pipeline.run.inputs import count_documents

    assert count_documents(expand([f]), max_bytes=limit) == 200


def test_a_record_larger_than_the_limit_is_too_large_and_its_neighbours_run(tmp_path):
    f = tmp_path / "dump.dat"
    huge = record("big", "http://x/big", "大", "很长的内容。" * 2000).encode("gbk")
    f.write_bytes(big_dump(3) + huge + big_dump(3).replace(b"<docno>d", b"<docno>e"))
    items = list(read_inputs(expand([f]), max_bytes=2000))
    assert [(i.doc_id, type(i).__name__) for i in items] == [
        ("d0", "InputRecord"), ("d1", "InputRecord"), ("d2", "InputRecord"),
        (f"{f.as_posix()}#4", "InputError"),
        ("e0", "InputRecord"), ("e1", "InputRecord"), ("e2", "InputRecord")]
    assert items[3].error == "TooLarge" and "#4 is larger than the document size limit" in items[3].message


@pytest.mark.parametrize("chunk", [5, 100, 1 << 20])
def test_a_too_large_record_is_skipped_unread_whatever_the_chunks(chunk):
    import io

    from pipeline.run.dumps import stream_dump

    huge = record("big", "http://x/big", "大", "很长的内容。" * 2000).encode("gbk")
    data = big_dump(2) + huge + big_dump(2).replace(b"<docno>d", b"<docno>e")
    fh = io.BytesIO(data)
    items = list(stream_dump(fh, fh.read(50), "f", "f", max_bytes=1500, chunk=chunk))
    assert [(i.doc_id, getattr(i, "error", None)) for i in items] == [
        ("d0", None), ("d1", None), ("f#3", "TooLarge"), ("e0", None), ("e1", None)]
