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
