"""Command line: `pipeline run`, `pipeline explain`, `pipeline stages`, `pipeline rules check`, ….

Exit status: 0 every document went through; 1 the run finished but some
documents failed (see errors.jsonl); 2 bad usage, invalid rules, or refused
(the run folder is locked by another run, a file there or at --cache is not
this tool's); 3 the run itself failed (an unexpected error: one line, the
traceback in a file); 130 interrupted (Ctrl-C); 143 terminated (SIGTERM).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Sequence

from pipeline.run.budget import DEFAULT_SECONDS
from pipeline.run.inputs import DEFAULT_MAX_MB

EXIT_OK, EXIT_DOCS_FAILED, EXIT_USAGE, EXIT_RUN_FAILED, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
EXIT_TERMINATED = 143  # 128 + SIGTERM, as a shell reports it
EXIT_STATUS = """exit status:
  0    every document went through
  1    the run finished, but some documents failed (listed in errors.jsonl)
  2    bad usage or invalid rules, or refused: the run folder is locked by another
       run, or a file there (or at --cache) was not written by pipeline; nothing run
  3    the run itself failed (an unexpected error; the traceback goes to a file,
       or to stderr with --debug)
  130  interrupted (Ctrl-C); 143 terminated (SIGTERM)"""
# Inside the run folder: files stages derive from rules (dictionary caches),
# and the stage cache.
CACHE_DIR = ".cache"
CACHE_FILE = "cache.sqlite"


def _stage_list(value: str) -> list[str]:
    return [s.strip() for s in value.split(",") if s.strip()]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pipeline",
        description="Turn crawled Chinese news into clean text and traceable facts.",
        epilog=EXIT_STATUS,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--debug", action="store_true",
                        help="on an unexpected error, print its traceback (it goes to a file otherwise)")
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--rules", type=Path, default=None,
                       help="rules folder (default: $PIPELINE_RULES, ./rules, or the rules/ shipped beside the package)")
        p.add_argument("--stages", type=_stage_list, default=None, metavar="A,B",
                       help="run only these stages (in pipeline.toml order; decode always runs)")
        p.add_argument("--skip", type=_stage_list, default=[], metavar="C,D",
                       help="skip these stages")

    def cache_opts(p: argparse.ArgumentParser) -> None:
        p.add_argument("--out", type=Path, default=None, metavar="DIR",
                       help="run folder" + (" to write" if p.prog.endswith(" run") else " whose cache to use"))
        p.add_argument("--cache", type=Path, default=None, metavar="PATH",
                       help=f"stage cache file (default: DIR/{CACHE_FILE})")
        if p.prog.endswith(" run"):
            p.add_argument("--no-cache", action="store_true", help="neither read nor write the stage cache")

    run = sub.add_parser("run", help="run the pipeline over files, folders or JSONL into a run folder")
    run.add_argument("inputs", nargs="+", metavar="INPUT",
                     help="a file, a folder (recursive, *.txt) or a .jsonl file (id, text, published_at, title, url)")
    run.add_argument("--quiet", action="store_true", help="no progress or summary on stderr")
    run.add_argument("--jobs", type=int, default=os.cpu_count() or 1, metavar="N",
                     help="worker processes (default: all cores); output is the same for any N")
    run.add_argument("--engine", choices=("local", "dask"), default="local",
                     help="local processes, or a dask.distributed cluster")
    run.add_argument("--scheduler", default=None, metavar="ADDRESS",
                     help="Dask scheduler address (default with --engine dask: a LocalCluster of --jobs workers)")
    run.add_argument("--timeout", type=float, default=DEFAULT_SECONDS, metavar="SECONDS",
                     help=f"time budget per document (default {DEFAULT_SECONDS:g}; 0: none); a document over it "
                          "is recorded in errors.jsonl as DocumentTimeout with its stage, and the run goes on")
    run.add_argument("--max-doc-mb", type=float, default=DEFAULT_MAX_MB, metavar="MB",
                     help=f"largest document read, in MB of input (default {DEFAULT_MAX_MB:g}); a larger one is "
                          "recorded in errors.jsonl as TooLarge, unread past the limit")
    run.add_argument("--no-report", action="store_true", help="do not write report.html into the run folder")
    cache_opts(run)
    common(run)

    cache = sub.add_parser("cache", help="manage the stage cache")
    cache.add_argument("action", choices=("clear", "info"))
    cache_opts(cache)

    exp = sub.add_parser("explain", help="print every edit made to one document, stage by stage")
    exp.add_argument("file", metavar="FILE", help="a text file, or a .jsonl file with --id")
    exp.add_argument("--id", default=None, help="the document id inside a JSONL file")
    common(exp)

    dif = sub.add_parser("diff", help="facts added, removed and changed between two run folders")
    dif.add_argument("run_a", type=Path, metavar="RUN_A")
    dif.add_argument("run_b", type=Path, metavar="RUN_B")
    dif.add_argument("--details", action="store_true", help="list the facts and documents, not only counts")
    dif.add_argument("--limit", type=int, default=50, metavar="N", help="at most N lines per list with --details")
    dif.add_argument("--json", action="store_true", help="the whole diff as JSON, for scripts")

    rep = sub.add_parser("report", help="write report.html (summary, documents, facts) into a run folder")
    rep.add_argument("run_dir", type=Path, metavar="RUN")
    rep.add_argument("--max-docs", type=int, default=None, metavar="N",
                     help="show at most the first N documents in full (default: 5000); the rest are only listed")

    stg = sub.add_parser("stages", help="list the configured stages with version and fingerprint")
    stg.add_argument("--rules", type=Path, default=None, help="rules folder")

    rul = sub.add_parser("rules", help="validate the rule files and run every rule's examples")
    rul.add_argument("action", choices=("check",))
    rul.add_argument("--rules", type=Path, default=None, help="rules folder")
    rul.add_argument("--no-examples", action="store_true",
                     help="only load and validate the rule files, without running examples "
                          "(about a second, e.g. for an editor or a pre-commit hook)")
    return parser


class _Terminated(KeyboardInterrupt):
    """SIGTERM, unwound like Ctrl-C so the run folder is cleaned up and unlocked."""


def _on_sigterm(signum, frame):
    raise _Terminated


def main(argv: Sequence[str] | None = None) -> int:
    import signal
    import threading

    argv = list(sys.argv[1:] if argv is None else argv)
    args = None
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        args = build_parser().parse_args(argv)
        return _main(args, argv)
    except BrokenPipeError:  # `pipeline explain ... | head`
        sys.stderr.close()
        return EXIT_OK
    except KeyboardInterrupt as exc:
        # The run folder is left without a manifest (incomplete), its lock removed.
        terminated = isinstance(exc, _Terminated)
        print(f"pipeline: {'terminated' if terminated else 'interrupted'}", file=sys.stderr)
        return EXIT_TERMINATED if terminated else EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - anything else is the run itself failing
        return _crashed(exc, debug=bool(args and args.debug))
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _crashed(exc: Exception, debug: bool) -> int:
    """One line for an unexpected error; the traceback to stderr (--debug) or to a file."""
    import tempfile
    import traceback

    text = "".join(traceback.format_exception(exc))
    if debug:
        print(text, file=sys.stderr, end="")
        where = "traceback above"
    else:
        try:
            fd, name = tempfile.mkstemp(prefix="pipeline-error-", suffix=".txt")
            with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace") as fh:
                fh.write(text)
            where = f"traceback in {name}; rerun with --debug to print it"
        except OSError:
            where = "rerun with --debug for the traceback"
    message = " / ".join(line.strip() for line in str(exc).splitlines() if line.strip())
    print(f"pipeline: error: unexpected {type(exc).__name__}: {message} ({where})", file=sys.stderr)
    return EXIT_RUN_FAILED


def _main(args: argparse.Namespace, argv: list[str]) -> int:
    if args.command == "run":
        from pipeline.run.threads import use_one_blas_thread

        use_one_blas_thread()  # before anything imports numpy (run/threads.py)
    # Imported here so `pipeline --help` stays instant.
    from pipeline.run.config import default_rules_dir, load_config
    from pipeline.core.rules import RuleError
    from pipeline.stages.registry import KNOWN_STAGES, StageSelectionError, build_stages, select_stages

    if args.command == "cache":
        return _cache(args)
    if args.command == "diff":
        return _diff(args)
    if args.command == "report":
        return _report(args)
    if args.command == "rules":
        return _rules_check(args.rules or default_rules_dir(), examples=not args.no_examples)
    out = getattr(args, "out", None)
    if out is not None and out.exists() and not out.is_dir():
        print(f"pipeline: error: --out {out} is a file, not a folder", file=sys.stderr)
        return EXIT_USAGE
    try:
        config = load_config(args.rules or default_rules_dir(), tuple(KNOWN_STAGES))
        names = select_stages(config, getattr(args, "stages", None), getattr(args, "skip", []))
        stages = build_stages(config, names, cache_dir=out / CACHE_DIR if out else None)
    except (RuleError, StageSelectionError) as exc:
        print(f"pipeline: error: {exc}", file=sys.stderr)
        return EXIT_USAGE

    if args.command == "stages":
        for stage in stages:
            info = stage.describe()
            files = ", ".join(info["rule_files"]) or "-"
            print(f"{info['name']:<10} v{info['version']}  {info['fingerprint']}  rules: {files}")
        return EXIT_OK
    if args.command == "explain":
        return _explain(args, stages)
    return _run(args, config, stages, argv)


def _rules_check(rules_dir: Path, examples: bool = True) -> int:
    from pipeline.core.rules import RuleError
    from pipeline.stages.rulecheck import check_rules

    try:
        report = check_rules(rules_dir, examples=examples)
    except RuleError as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    for problem in report.problems:
        print(problem)
    if report.problems:
        print(f"pipeline: {len(report.problems)} problem(s) in the rules", file=sys.stderr)
        return EXIT_USAGE
    print(f"ok: {report.summary()}")
    return EXIT_OK


def _diff(args) -> int:
    import json

    from pipeline.inspect.diff import diff_runs, format_diff
    from pipeline.inspect.folder import RunFolderError

    try:
        result = diff_runs(args.run_a, args.run_b)
    except RunFolderError as exc:
        print(f"pipeline: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print(format_diff(result, args.details, args.limit))
    return EXIT_OK


def _cache_path(args) -> Path | None:
    if args.cache:
        return args.cache
    return args.out / CACHE_FILE if args.out else None


def _cache(args) -> int:
    from pipeline.run.cache import CacheError, StageCache, cache_stats, read_header

    path = _cache_path(args)
    if path is None:
        print("pipeline: error: give --cache PATH or --out DIR", file=sys.stderr)
        return EXIT_USAGE
    try:
        # Both identify the file by its header first: only this tool's cache is read or cleared.
        if args.action == "info":  # read-only: creates, changes and removes nothing
            count, header = cache_stats(path)
            print(f"{path}: {count} cached results, {path.stat().st_size:,} bytes, format {header.get('format')}")
            return EXIT_OK
        if read_header(path) is None:
            raise FileNotFoundError(f"no cache at {path}")
        cache = StageCache(path)
        try:
            print(f"removed {cache.clear()} cached results from {path}")
        finally:
            cache.close()
    except FileNotFoundError:
        empty = " (an empty file)" if path.is_file() else ""
        print(f"pipeline: error: no cache at {path}{empty}", file=sys.stderr)
        return EXIT_USAGE
    except CacheError as exc:
        print(f"pipeline: error: {exc}; it is left as it is", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK


def _run(args, config, stages, argv) -> int:
    from pipeline.run.lock import RunFolderLocked, RunLock

    if args.out is None:
        print("pipeline: error: run needs --out DIR", file=sys.stderr)
        return EXIT_USAGE
    if args.jobs < 1:
        print("pipeline: error: --jobs must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    if not args.timeout >= 0 or not args.max_doc_mb > 0:  # `not >=` also refuses nan
        print("pipeline: error: --timeout must be at least 0 and --max-doc-mb more than 0", file=sys.stderr)
        return EXIT_USAGE

    missing = [p for p in args.inputs if not Path(p).exists()]
    for p in missing:
        print(f"pipeline: warning: input {p} does not exist (recorded in errors.jsonl)", file=sys.stderr)
    # The lock covers the run and its report: nothing else writes the folder meanwhile.
    lock = RunLock(args.out)
    try:
        lock.acquire()
    except RunFolderLocked as exc:
        print(f"pipeline: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        print(f"pipeline: error: cannot use --out {args.out}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        return _run_locked(args, config, stages, argv)
    finally:
        lock.release()


def _run_locked(args, config, stages, argv) -> int:
    from pipeline.run.batch import run_batch
    from pipeline.run.cache import CacheError
    from pipeline.run.outputs import OutputError

    try:
        summary = run_batch(
            args.inputs, args.out, config, stages,
            jobs=args.jobs, engine=args.engine, scheduler=args.scheduler,
            cache_path=None if args.no_cache else _cache_path(args),
            show_progress=not args.quiet, argv=["pipeline", *argv], lock=False,
            timeout=args.timeout or None, max_bytes=int(args.max_doc_mb * 1_000_000),
        )
    except (OutputError, CacheError) as exc:
        print(f"pipeline: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if not args.quiet:
        print(
            f"{summary.documents} documents, {summary.failed} failed, {summary.facts} facts, "
            f"{summary.edits} edits in {summary.seconds:.1f}s\nresults in {summary.out_dir}/",
            file=sys.stderr,
        )
        if summary.failed:
            print(f"see {summary.out_dir / 'errors.jsonl'} for the failures", file=sys.stderr)
    # An earlier run's report (it would describe other results) went when this run started.
    if not args.no_report:
        _write_run_report(summary.out_dir, args.quiet)
    return EXIT_DOCS_FAILED if summary.failed else EXIT_OK


def _write_run_report(out_dir: Path, quiet: bool) -> None:
    from pipeline.inspect.report import write_report

    # The run folder is complete by now; a report that fails is a warning, not a failed run.
    try:
        path = write_report(out_dir)
    except Exception as exc:  # noqa: BLE001
        print(f"pipeline: warning: report.html not written: {type(exc).__name__}: {exc}", file=sys.stderr)
        return
    if not quiet:
        print(f"report: {path}", file=sys.stderr)


def _report(args) -> int:
    from pipeline.inspect.folder import RunFolderError
    from pipeline.inspect.report import DEFAULT_MAX_DOCS, write_report

    max_docs = DEFAULT_MAX_DOCS if args.max_docs is None else args.max_docs
    if max_docs < 0:
        print("pipeline: error: --max-docs must be at least 0", file=sys.stderr)
        return EXIT_USAGE
    from pipeline.run.lock import RunFolderLocked, RunLock

    if not args.run_dir.is_dir():
        print(f"pipeline: error: {args.run_dir} is not a run folder: no such folder", file=sys.stderr)
        return EXIT_USAGE
    try:
        # Held while the report is written, so no run starts into the folder meanwhile.
        with RunLock(args.run_dir):
            path = write_report(args.run_dir, max_docs=max_docs)
    except (RunFolderError, RunFolderLocked, OSError) as exc:
        print(f"pipeline: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(path)
    return EXIT_OK


def _explain(args, stages) -> int:
    from pipeline.inspect.explain import explain
    from pipeline.run.inputs import expand, read_inputs
    from pipeline.run.runner import Timings, process

    items = [
        item for item in read_inputs(expand([args.file]))
        if args.id is None or item.doc_id == args.id
    ]
    if not items:
        print(f"pipeline: error: no document {args.id!r} in {args.file}", file=sys.stderr)
        return EXIT_USAGE
    status = EXIT_OK
    for outcome in process(items, stages, Timings()):
        if outcome.error is not None:
            e = outcome.error
            print(f"document {e.doc_id} failed in {e.stage}: {e.error}: {e.message}", file=sys.stderr)
            status = EXIT_DOCS_FAILED
        else:
            print(explain(outcome.document))
    return status
