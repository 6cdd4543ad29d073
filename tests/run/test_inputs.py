import json

from pipeline.run.inputs import InputError, InputRecord, count_documents, expand, read_inputs


def read(paths):
    files = expand(paths)
    return list(read_inputs(files)), count_documents(files)


def test_folder_is_walked_recursively_for_txt_with_relative_ids(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "x.txt").write_bytes(b"x")
    (tmp_path / "y.txt").write_bytes(b"y")
    (tmp_path / "skip.html").write_bytes(b"<p>")
    items, total = read([tmp_path])
    assert [i.doc_id for i in items] == ["a/b/x.txt", "y.txt"]
    assert total == 2
    assert items[0].raw == b"x" and items[0].source.endswith("a/b/x.txt")


def test_explicit_file_of_any_suffix_is_read(tmp_path):
    f = tmp_path / "page.html"
    f.write_bytes("新闻".encode("gbk"))
    items, _ = read([f])
    assert items[0].doc_id == f.as_posix() and items[0].raw == "新闻".encode("gbk")


def test_jsonl_records_with_metadata_and_errors_with_line_numbers(tmp_path):
    f = tmp_path / "in.jsonl"
    lines = [
        json.dumps({"id": "a", "text": "新闻一", "published_at": "2021-07-26", "title": "T", "url": "http://x"}),
        "{not json",
        json.dumps({"id": 7, "text": "数字id"}),
        json.dumps({"id": "b"}),
        "",
        json.dumps(["a", "list"]),
        json.dumps({"id": "a", "text": "again"}),
        json.dumps({"id": "c", "text": "t", "title": 3}),
    ]
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    items, total = read([f])
    assert total == 7  # the blank line is not a document
    ok = [i for i in items if isinstance(i, InputRecord)]
    bad = [i for i in items if isinstance(i, InputError)]
    assert [(r.doc_id, r.raw) for r in ok] == [("a", "新闻一"), ("7", "数字id")]
    assert ok[0].meta == {"published_at": "2021-07-26", "title": "T", "url": "http://x"}
    assert ok[0].source == f"{f.as_posix()}:1"
    by_line = {e.source.rsplit(":", 1)[1]: e for e in bad}
    assert set(by_line) == {"2", "4", "6", "7", "8"}
    assert "invalid JSON" in by_line["2"].message and by_line["2"].error == "MalformedJSONL"
    assert "missing `text`" in by_line["4"].message and by_line["4"].doc_id == "b"
    assert by_line["7"].error == "DuplicateId" and f"{f.as_posix()}:1" in by_line["7"].message
    assert "`title` must be a string" in by_line["8"].message


def test_missing_and_unreadable_inputs_become_errors(tmp_path):
    missing = tmp_path / "nope.txt"
    folder_as_file = tmp_path / "dir.txt"
    folder_as_file.mkdir()
    (folder_as_file / "inner.txt").write_bytes(b"ok")
    items, _ = read([missing, tmp_path / "nope.jsonl"])
    assert all(isinstance(i, InputError) for i in items)
    assert items[0].error == "FileNotFoundError" and "nope.txt" in items[0].message
    assert items[1].error == "FileNotFoundError"


def test_duplicate_ids_across_inputs_keep_the_first(tmp_path):
    f = tmp_path / "x.txt"
    f.write_bytes(b"x")
    items, _ = read([f, f])
    assert isinstance(items[0], InputRecord)
    assert isinstance(items[1], InputError) and items[1].error == "DuplicateId"


def hostile_jsonl(tmp_path):
    f = tmp_path / "hostile.jsonl"
    lines = [
        json.dumps({"id": "ok1", "text": "第一篇"}),
        '{"id": "sur\\ud800", "text": "半个\\udc00字", "title": "\\ud83d"}',  # lone surrogates
        '{"id": "pair", "text": "\\ud83d\\ude00 一对"}',  # a valid pair: an emoji, untouched
        "[" * 100_000 + "]" * 100_000,  # nested past the parser's recursion limit
        '{"id": ' + "9" * 5000 + ', "text": "x"}',  # past Python's integer digit limit
        json.dumps({"id": "ok2", "text": "第二篇"}),
    ]
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return f


def test_hostile_jsonl_records_fail_one_by_one(tmp_path):
    items, total = read([hostile_jsonl(tmp_path)])
    assert total == 6 and len(items) == 6
    records = {i.doc_id: i for i in items if isinstance(i, InputRecord)}
    assert list(records) == ["ok1", "sur\ufffd", "pair", "ok2"]
    sur = records["sur\ufffd"]
    assert sur.raw == "半个\ufffd字" and sur.meta["title"] == "\ufffd" and sur.flags == {"surrogates_replaced": 3}
    assert records["pair"].raw == "😀 一对" and records["pair"].flags == {}
    errors = [i for i in items if isinstance(i, InputError)]
    assert [e.error for e in errors] == ["MalformedJSONL", "MalformedJSONL"]
    assert "nested too deep" in errors[0].message and errors[0].source.endswith("hostile.jsonl:4")
    assert errors[1].source.endswith("hostile.jsonl:5")


def test_a_hostile_batch_runs_to_the_end_with_every_record_accounted_for(tmp_path):
    import pandas as pd

    from pipeline.cli import main

    out = tmp_path / "out"
    assert main(["run", str(hostile_jsonl(tmp_path)), "--out", str(out), "--quiet", "--jobs", "1",
                 "--stages", "decode,convert"]) == 1  # some records failed
    docs = pd.read_parquet(out / "documents.parquet")
    errors = [json.loads(line) for line in (out / "errors.jsonl").read_text(encoding="utf-8").splitlines()]
    assert list(docs.doc_id) == ["ok1", "sur\ufffd", "pair", "ok2"] and len(errors) == 2
    assert json.loads(docs["flags"][1]) == {"surrogates_replaced": 3}


def test_file_names_that_are_not_utf8_become_escaped_ids(tmp_path):
    import os

    folder = tmp_path / "crawl"
    folder.mkdir()
    name = "新闻".encode("gbk") + b".txt"  # a GBK-named file, common in Chinese crawl dumps
    with open(os.path.join(os.fsencode(folder), name), "wb") as fh:
        fh.write("正文".encode("gbk"))
    (folder / "ok.txt").write_bytes("正文".encode())
    items, total = read([folder])
    assert total == 2 and [i.doc_id for i in items] == ["ok.txt", "\\xd0\\xc2\\xce\\xc5.txt"]
    assert items[1].raw == "正文".encode("gbk")
    assert items[1].doc_id.encode("utf-8") and items[1].source.endswith("crawl/\\xd0\\xc2\\xce\\xc5.txt")


def test_a_utf8_bom_before_the_first_jsonl_record_is_not_part_of_it(tmp_path):
    f = tmp_path / "bom.jsonl"
    f.write_bytes(b"\xef\xbb\xbf" + json.dumps({"id": "a", "text": "第一篇"}).encode() + b"\n"
                  + json.dumps({"id": "b", "text": "\ufeff正文"}, ensure_ascii=False).encode() + b"\n")
    items, total = read([f])
    assert total == 2 and [(i.doc_id, i.raw) for i in items] == [("a", "第一篇"), ("b", "\ufeff正文")]


def test_a_utf16_jsonl_file_is_read_record_by_record(tmp_path):
    f = tmp_path / "utf16.jsonl"
    lines = [json.dumps({"id": "a", "text": "第一篇"}, ensure_ascii=False),
             json.dumps({"id": "b", "text": "第二篇"}, ensure_ascii=False)]
    f.write_text("\n".join(lines) + "\n", encoding="utf-16")  # with its byte-order mark
    items, total = read([f])
    assert total == 2 and [(i.doc_id, i.raw) for i in items] == [("a", "第一篇"), ("b", "第二篇")]
    assert items[1].source.endswith("utf16.jsonl:2")


def read_limited(paths, max_bytes):
    files = expand(paths)
    return list(read_inputs(files, max_bytes)), count_documents(files, max_bytes)


def test_a_file_over_the_size_limit_is_recorded_unread(tmp_path):
    (tmp_path / "big.txt").write_bytes(b"x" * 1001)
    (tmp_path / "ok.txt").write_bytes(b"x" * 1000)
    items, total = read_limited([tmp_path], 1000)
    assert total == 2
    assert isinstance(items[0], InputError) and items[0].error == "TooLarge" and "0.001 MB" in items[0].message
    assert isinstance(items[1], InputRecord) and len(items[1].raw) == 1000


def test_an_endless_stream_named_explicitly_is_read_up_to_the_limit():
    items, total = read_limited(["/dev/zero"], 10_000)
    assert total == 1
    assert [(i.doc_id, i.error) for i in items] == [("/dev/zero", "TooLarge")]


def test_a_jsonl_line_over_the_limit_is_recorded_and_the_next_line_read(tmp_path):
    f = tmp_path / "in.jsonl"
    long = json.dumps({"id": "long", "text": "字" * 5000}, ensure_ascii=False)
    f.write_text(long + "\n" + json.dumps({"id": "next", "text": "下一篇"}, ensure_ascii=False) + "\n",
                 encoding="utf-8")
    items, total = read_limited([f], 1000)
    assert total == 2
    assert isinstance(items[0], InputError) and items[0].error == "TooLarge"
    assert items[0].source.endswith("in.jsonl:1")
    assert isinstance(items[1], InputRecord) and items[1].doc_id == "next"


def test_a_fifo_found_in_a_folder_is_recorded_not_skipped_or_waited_on(tmp_path):
    import os

    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "real.txt").write_bytes(b"ok")
    items, total = read([tmp_path])
    assert total == 2
    assert [(i.doc_id, type(i).__name__) for i in items] == [("pipe.txt", "InputError"), ("real.txt", "InputRecord")]
    assert "not a regular file" in items[0].message and "name it explicitly" in items[0].message


def test_a_fifo_named_explicitly_is_read_as_a_stream(tmp_path):
    import os
    import threading

    fifo = tmp_path / "feed.txt"
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: fifo.write_bytes("流".encode()))
    writer.start()
    items, _ = read_limited([fifo], 1000)
    writer.join(10)
    assert isinstance(items[0], InputRecord) and items[0].raw == "流".encode()


def test_a_folder_walk_does_not_follow_a_symlink_out_of_its_root(tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_bytes(b"not yours")
    root = tmp_path / "in"
    root.mkdir()
    (root / "inside.txt").write_bytes(b"mine")
    (root / "link_in.txt").symlink_to(root / "inside.txt")
    (root / "link_out.txt").symlink_to(outside)
    items, total = read([root])
    assert total == 3
    kinds = {i.doc_id: i for i in items}
    assert kinds["inside.txt"].raw == b"mine" and kinds["link_in.txt"].raw == b"mine"
    assert isinstance(kinds["link_out.txt"], InputError) and "outside the input folder" in kinds["link_out.txt"].message
    # Named explicitly, the same link is the user's choice: read.
    items, _ = read([root / "link_out.txt"])
    assert items[0].raw == b"not yours"


def test_a_long_line_of_a_utf16_jsonl_is_bounded_too(tmp_path):
    f = tmp_path / "in.jsonl"
    lines = [json.dumps({"id": "long", "text": "字" * 5000}, ensure_ascii=False),
             json.dumps({"id": "next", "text": "下一篇"}, ensure_ascii=False)]
    f.write_bytes("\n".join(lines).encode("utf-16") + "\n".encode("utf-16-le"))
    items, total = read_limited([f], 1000)
    assert total == 2
    assert items[0].error == "TooLarge" and items[1].doc_id == "next"
