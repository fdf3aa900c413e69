"""The ``shoko`` command (see ../shared/contract.md for what outside tools rely on)."""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import signal
import sys
import threading
import time
from datetime import date
from pathlib import Path

from kernel.errors import ShokoError, UnknownDocument
from records.audit import DocumentViewed, Searched
from shoko.intake import IntakeFile, department_of, stored_entries
from shoko.services import Services
from shoko.settings import load_config

log = logging.getLogger("shoko")


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    chatty = getattr(args, "verbose", False) or args.command in ("watch", "serve", "demo")
    logging.basicConfig(level=logging.INFO if chatty else logging.WARNING,
                        stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        services = Services(load_config(getattr(args, "config", None), getattr(args, "data_dir", None)))
        return args.run(services, args)
    except ShokoError as e:
        print(f"shoko: {e}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", type=Path, default=argparse.SUPPRESS, help="settings file (TOML)")
    common.add_argument("--data-dir", default=argparse.SUPPRESS, help="where shoko keeps everything")
    common.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help="log each file")

    parser = argparse.ArgumentParser(prog="shoko", description="Scanned HOT paperwork: ingest, search, check.",
                                     parents=[common])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", parents=[common], help="ingest files or folders now")
    p.add_argument("paths", nargs="+", type=Path)
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_ingest)

    p = sub.add_parser("watch", parents=[common], help="watch the inbox until SIGINT/SIGTERM")
    p.set_defaults(run=cmd_watch)

    p = sub.add_parser("serve", parents=[common], help="the web UI (and the watcher)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--no-watch", action="store_true", help="do not run the inbox watcher")
    p.set_defaults(run=cmd_serve)

    p = sub.add_parser("demo", parents=[common], help="make sample documents, ingest them, serve")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8080)
    p.set_defaults(run=cmd_demo)

    p = sub.add_parser("show", parents=[common], help="one document")
    p.add_argument("doc_id")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_show)

    p = sub.add_parser("search", parents=[common], help="full-text and field search")
    p.add_argument("query")
    p.add_argument("--json", action="store_true")
    p.add_argument("--limit", type=int, default=10)
    p.add_argument("--type", dest="doc_type")
    p.add_argument("--patient")
    p.add_argument("--sort", choices=("relevance", "date"), default="relevance",
                   help="best first (default) or newest document date first")
    p.set_defaults(run=cmd_search)

    p = sub.add_parser("list", parents=[common], help="every stored document")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_list)

    p = sub.add_parser("status", parents=[common], help="the inbox and the work")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_status)

    p = sub.add_parser("check", parents=[common], help="claim readiness for a month")
    p.add_argument("--month", required=True, help="YYYY-MM")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_check)

    p = sub.add_parser("discharges", parents=[common], help="discharge records for the 在宅復帰率 monitor")
    discharges_sub = p.add_subparsers(dest="discharges_command", required=True)
    d = discharges_sub.add_parser("import", parents=[common], help="import a CSV (UTF-8 or Shift_JIS); all rows or none")
    d.add_argument("file", type=Path)
    d.add_argument("--json", action="store_true")
    d.set_defaults(run=cmd_discharges_import)

    p = sub.add_parser("homereturn", parents=[common], help="在宅復帰率 of the six months before a month")
    p.add_argument("--month", required=True, help="YYYY-MM")
    p.add_argument("--ward", help="ward as in the 病棟 column (default: the configured wards, else all)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_homereturn)

    p = sub.add_parser("verify", parents=[common], help="originals and audit chain integrity")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_verify)

    p = sub.add_parser("audit", parents=[common], help="the audit log, reads included")
    p.add_argument("--doc", help="one document's events (D000123)")
    p.add_argument("--user", help="one account's events")
    p.add_argument("--since", help="events on or after this day (YYYY-MM-DD)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_audit)

    p = sub.add_parser("reindex", parents=[common],
                       help="rebuild the search index (of the search_engine setting) from the records")
    p.set_defaults(run=cmd_reindex)

    p = sub.add_parser("export", parents=[common],
                       help="write a full backup (or, with --patient, one patient's originals) into an empty folder")
    p.add_argument("dir", type=Path)
    p.add_argument("--patient", help="only this patient's originals and a manifest (開示請求), no database")
    p.set_defaults(run=cmd_export)

    p = sub.add_parser("import", parents=[common], help="restore an export into an empty data directory")
    p.add_argument("dir", type=Path)
    p.set_defaults(run=cmd_import)

    p = sub.add_parser("trash", parents=[common], help="move a document to the trash (it stays until purged)")
    p.add_argument("doc_id")
    p.add_argument("--reason", required=True, help="why it is deleted (kept in the audit log)")
    p.set_defaults(run=cmd_trash)

    p = sub.add_parser("restore", parents=[common], help="take a document back out of the trash")
    p.add_argument("doc_id")
    p.set_defaults(run=cmd_restore)

    p = sub.add_parser("purge", parents=[common], help="remove a trashed document for good, after its retention period")
    p.add_argument("doc_id")
    p.set_defaults(run=cmd_purge)

    p = sub.add_parser("timestamp", parents=[common], help="get RFC 3161 timestamp tokens for originals that lack one")
    p.set_defaults(run=cmd_timestamp)

    p = sub.add_parser("user", parents=[common], help="accounts")
    user_sub = p.add_subparsers(dest="user_command", required=True)
    u = user_sub.add_parser("add", parents=[common], help="create or update an account (password on stdin)")
    u.add_argument("name")
    u.add_argument("--role", required=True)
    u.set_defaults(run=cmd_user_add)
    for action, text in (("disable", "disable an account (it may not sign in; its sessions end)"),
                         ("enable", "enable a disabled account again")):
        u = user_sub.add_parser(action, parents=[common], help=text)
        u.add_argument("name")
        u.set_defaults(run=cmd_user_disable, disable=action == "disable")
    return parser


# -- commands ------------------------------------------------------------------


def cmd_ingest(services: Services, args) -> int:
    from shoko.intake import expand_paths

    # Links are never followed (issue 12): not the helper shared with ``demo``.
    files = list(expand_paths(args.paths, services.config.inbox_paths))
    progress = _Progress(sys.stderr)
    with services.intake(actor="cli") as intake:
        intake.reconcile_index()
        for outcome in intake.run(files, move=False, progress=progress):
            progress.clear()
            if args.json:
                print(json.dumps(outcome.to_json(), ensure_ascii=False), flush=True)
            else:
                print(f"{_plain(outcome.path)}\t{outcome.status}\t{outcome.id or ''}\t"
                      f"{_plain(outcome.doc_type or outcome.reason or '')}", flush=True)
    progress.finish()
    return 0


def _expand(paths: list[Path], inboxes: list[Path]):
    """Files of the given paths, folders recursively, in a stable order."""
    for path in paths:
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if not any(part.startswith(".") for part in child.relative_to(path).parts):
                    yield IntakeFile(child, str(child), department_of(child, inboxes))
        else:
            # A missing path is still accounted for: it is quarantined as unreadable.
            yield IntakeFile(path, str(path), department_of(path, inboxes))


def cmd_watch(services: Services, args) -> int:
    from shoko.watch import run_watcher

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    run_watcher(services, stop)
    return 0


def cmd_serve(services: Services, args) -> int:
    from shoko.watch import run_watcher
    from webui import create_app, serve

    app = create_app(services)
    for inbox in services.config.inbox_paths:
        inbox.mkdir(parents=True, exist_ok=True)
    stop = threading.Event()
    watcher = None
    if not args.no_watch:
        watcher = threading.Thread(target=run_watcher, args=(services, stop), name="watcher", daemon=True)
        watcher.start()
    if threading.current_thread() is threading.main_thread():
        # SIGTERM stops the server like Ctrl-C does (waitress closes on SystemExit), so the watcher is stopped below.
        signal.signal(signal.SIGTERM, _exit_on_signal)
    try:
        serve(services, args.host, args.port, app=app)  # waitress, bounded threads and connections
    finally:
        stop.set()
        if watcher:
            watcher.join(timeout=60)
    return 0


def _exit_on_signal(signum, frame):
    raise SystemExit(0)


def cmd_demo(services: Services, args) -> int:
    import os
    import secrets

    from samples import make_samples

    if not services.records.user_count() and not os.environ.get("SHOKO_ADMIN_PASSWORD"):
        # Demo only: a fresh random password, shown once, instead of a default in the code.
        os.environ["SHOKO_ADMIN_PASSWORD"] = secrets.token_urlsafe(12)
        print(f"デモ用の管理者アカウント: {os.environ.get('SHOKO_ADMIN_USER', 'admin')} / "
              f"{os.environ['SHOKO_ADMIN_PASSWORD']}", file=sys.stderr)

    samples_dir = services.config.data_path / "demo-samples"
    if not services.records.document_numbers():
        samples_dir.mkdir(parents=True, exist_ok=True)
        make_samples(samples_dir)
        print(f"サンプル文書を {samples_dir} に作成し、取り込みます…", file=sys.stderr)
        with services.intake(actor="demo") as intake:
            for outcome in intake.run(_expand([samples_dir], []), progress=_Progress(sys.stderr)):
                print(f"{outcome.path}: {outcome.status} {outcome.id or outcome.reason or ''}", file=sys.stderr)
    print(f"http://{args.host}:{args.port}/ でサービスを開始します（受信箱: {services.config.inbox_paths[0]}）",
          file=sys.stderr)
    args.no_watch = False
    return cmd_serve(services, args)


def cmd_show(services: Services, args) -> int:
    try:
        doc = services.records.get(args.doc_id)
    except UnknownDocument:
        print(f"shoko: no document {args.doc_id}", file=sys.stderr)
        return 1
    services.records.record_read(DocumentViewed(_cli_actor(), services.records.now(), doc.number, via="cli"))
    data = document_json(doc)
    if args.json:
        print(json.dumps(data, ensure_ascii=False))
        return 0
    print(f"{data['id']}  {data['doc_type']}  {data['title']}")
    print(f"source: {data['source_name']}  pages: {data['pages']}  ingested: {data['ingested_at']}"
          f"  department: {data['department'] or '-'}")
    for name, value in data["fields"].items():
        print(f"  {name}: {value}")
    for name, candidate in data["review"].items():
        print(f"  {name}: ({candidate['value']}?) needs review")
    for link in data["links"]:
        print(f"  link: {link['item']} {link['month']}")
    print()
    print(data["text"])
    return 0


def document_json(doc) -> dict:
    """The contract's ``show --json`` object, with provenance beside it."""
    readers = {p["number"]: p.get("reader") or {} for p in doc.pages}
    return {
        "id": doc.id, "doc_type": doc.doc_type, "title": doc.title, "pages": doc.page_count, "text": doc.text,
        "fields": doc.filled_fields, "sha256": doc.sha256, "source_name": doc.source_name,
        "ingested_at": doc.ingested_at, "department": doc.department,
        "links": [{"item": link["item"], "month": link["month"]} for link in doc.links],
        "review": {name: {"value": f["value"], "confidence": f["confidence"], "page": f["page"]}
                   for name, f in doc.review_fields.items()},
        "flags": doc.flags,
        "provenance": {name: {"source": f["source"], "page": f["page"], "confidence": f["confidence"],
                              "engine": readers.get(f["page"], {}).get("engine")
                              if f["source"] in ("ocr", "text_layer") else None,
                              "state": f["state"], "updated_by": f["updated_by"], "updated_at": f["updated_at"]}
                       for name, f in sorted(doc.fields.items())},
        "readers": [{"page": number, **reader} for number, reader in sorted(readers.items())],
        "file_format": doc.file_format,
    }


def cmd_search(services: Services, args) -> int:
    from search import QueryLimits

    limits = QueryLimits(max_chars=services.config.search_max_chars, seconds=float(services.config.search_seconds))
    results = services.index.search(args.query, limit=max(1, args.limit), doc_type=args.doc_type,
                                    patient_id=args.patient, limits=limits, sort=args.sort)
    filters = {name: value for name, value in (("type", args.doc_type), ("patient", args.patient)) if value}
    services.records.record_read(Searched(_cli_actor(), services.records.now(), None, query=args.query,
                                          filters=filters, total=results.total, via="cli"))
    if args.json:
        print(json.dumps({
            "query": args.query, "total": results.total,
            "hits": [{"id": h.doc_id, "score": h.score, "doc_type": h.doc_type, "title": h.title,
                      "snippet": h.snippet, "patient_id": h.patient_id or None, "date": h.date or None}
                     for h in results.hits],
        }, ensure_ascii=False))
        return 0
    print(f"{results.total} 件")
    for h in results.hits:
        print(f"{h.doc_id}  {h.score:6.2f}  {h.doc_type:20}  {h.title}")
        print(f"    {h.snippet.replace(chr(10), ' ')}")
    return 0


def _cli_actor() -> str:
    """Who ran a command, for the audit log: the operating-system account."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def cmd_audit(services: Services, args) -> int:
    """The audit log, oldest first, filtered by document, account and day."""
    document = None
    if args.doc:
        try:
            document = services.records.get(args.doc).number
        except UnknownDocument:
            print(f"shoko: no document {args.doc}", file=sys.stderr)
            return 1
    since = None
    if args.since:
        try:
            since = date.fromisoformat(args.since).isoformat()
        except ValueError:
            print(f"shoko: --since must be YYYY-MM-DD, not {args.since!r}", file=sys.stderr)
            return 2
    for event in services.records.audit_log(document=document, actor=args.user, since=since):
        if args.json:
            print(json.dumps({"at": event["at"], "actor": event["actor"], "action": event["action"],
                              "document": event["document"], "seq": event["seq"], **event["details"]},
                             ensure_ascii=False))
        else:
            details = " ".join(f"{k}={v}" for k, v in sorted(event["details"].items()))
            print(f"{event['at']}  {event['actor']}  {event['action']}  {event['document'] or '-'}  {details}")
    return 0


def cmd_list(services: Services, args) -> int:
    # Streamed in batches: an archive of a million documents is never in memory at once.
    for doc in services.records.iter_documents():
        row = {"id": doc.id, "doc_type": doc.doc_type, "source_name": doc.source_name, "sha256": doc.sha256,
               "ingested_at": doc.ingested_at, "department": doc.department}
        if args.json:
            print(json.dumps(row, ensure_ascii=False))
        else:
            print(f"{doc.id}\t{doc.doc_type}\t{doc.ingested_at}\t{_plain(doc.department or '-')}\t"
                  f"{_plain(doc.source_name)}")
    return 0


def cmd_status(services: Services, args) -> int:
    counts = services.work_counts()
    quarantine = [{"file": q["file_name"], "reason": q["reason"], "at": q["at"]}
                  for q in services.records.quarantined()]
    data = {**counts, "quarantine": quarantine, "last_errors": quarantine[-5:][::-1]}
    from shoko.watch import watcher_health

    watcher = watcher_health(services.config.data_path)
    data["watcher"] = _watcher_state(watcher)
    if args.json:
        print(json.dumps(data, ensure_ascii=False))
        return 0
    print(" ".join(f"{k}: {v}" for k, v in counts.items()))
    if watcher is not None:
        state = "一時停止中" if watcher.get("paused") else "動作中" if watcher.get("alive") else "停止"
        print(f"  受信箱の監視: {state}（{watcher.get('since')}）{_plain(watcher.get('reason') or '')}")
    for q in quarantine:
        print(f"  隔離: {q['file']}  {q['reason']}")
    return 0


def _watcher_state(health: dict | None) -> dict:
    """The watcher's health in the contract's shape (state running, paused or stopped,
    since, reason), with the ``alive`` and ``paused`` flags it is made from."""
    if health is None:
        return {"state": "stopped", "since": None, "reason": None, "alive": False, "paused": False}
    state = "paused" if health.get("paused") else "running" if health.get("alive") else "stopped"
    reason = health.get("reason")
    if health.get("crashed"):
        reason = "監視プロセスが停止の記録なく終了しました（再起動してください）"
    return {"state": state, "since": health.get("since"), "reason": reason,
            "alive": bool(health.get("alive")), "paused": bool(health.get("paused"))}


def cmd_check(services: Services, args) -> int:
    from shoko.claims import month_report

    try:
        report = month_report(services.records, args.month)
    except ValueError as e:
        print(f"shoko: {e}", file=sys.stderr)
        return 2
    data = report.to_dict()
    if args.json:
        print(json.dumps(data, ensure_ascii=False))
        return 0
    print(f"{data['month']} の算定チェック")
    for patient in data["patients"]:
        print(f"{patient['patient_id']} {patient.get('patient_name') or ''}")
        for item in patient["items"]:
            print(f"  {item['item']:14} {item['status']:8} {' '.join(item['evidence'])}  {' / '.join(item['problems'])}")
    return 0


def cmd_discharges_import(services: Services, args) -> int:
    """Import discharges; exit 1 naming each bad line when any row is bad (nothing is imported then)."""
    from shoko.homereturn import import_discharges

    outcome = import_discharges(services.records, args.file, actor="cli")
    if args.json:
        print(json.dumps(outcome.to_dict(), ensure_ascii=False))
    for problem in outcome.problems:
        print(f"shoko: {_plain(args.file)}: {_plain(problem)}", file=sys.stderr)
    if not outcome.imported:
        print(f"shoko: {_plain(args.file)}: 誤りのある行があるため、何も取り込みませんでした", file=sys.stderr)
        return 1
    if not args.json:
        c = outcome.counts
        print(f"{_plain(args.file)}: {outcome.rows} 行を取り込みました（追加 {c['added']}、更新 {c['updated']}、"
              f"変更なし {c['unchanged']}、職員の修正を保持 {c['kept']}）")
    return 0


def cmd_homereturn(services: Services, args) -> int:
    """The 在宅復帰率 of the six months before ``--month``."""
    from shoko.homereturn import home_return

    try:
        result = home_return(services.records, args.month, args.ward)
    except ValueError as e:
        print(f"shoko: {e}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False))
        return 0
    data = result.to_dict()
    print(f"在宅復帰率 {data['month']}（{_plain(data['ward'] or '全病棟')}、対象期間 {data['window'][0]}〜{data['window'][1]}）")
    threshold = f"基準 {data['threshold'] * 100:g}% 以上"
    if data["rate"] is None:
        print(f"  計算できません: 対象の退院患者がいません（{threshold}を満たしているとはいえません）")
    else:
        verdict = "満たしています" if data["pass"] else "下回っています"
        print(f"  {data['numerator']} / {data['denominator']} = {data['rate'] * 100:.1f}%（{threshold}）: {verdict}")
    labels = {"home": "在宅等", "not_home": "在宅等以外", "excluded": "対象外"}
    for p in data["patients"]:
        print(f"  {p['exit_date']}  {p['patient_id']}  {labels[p['class']]:6}  {_plain(p['destination'] or '-')}  "
              f"{_plain(p['reason'])}")
    if result.unknown_destinations:
        print(f"  退院先を判別できない記録が {len(result.unknown_destinations)} 件あります（在宅等に数えていません）")
    return 0


def cmd_verify(services: Services, args) -> int:
    problems = services.records.verify()
    documents = len(services.records.document_numbers())
    if args.json:
        print(json.dumps({"ok": not problems, "documents": documents,
                          "audit_events": len(services.records.audit_rows()), "problems": problems},
                         ensure_ascii=False))
    else:
        print("intact" if not problems else "\n".join(problems))
    return 0 if not problems else 1


def cmd_reindex(services: Services, args) -> int:
    # Streamed from the records in batches into one writer: the archive's text is never in memory at once.
    progress = _CountProgress(sys.stderr, len(services.records.document_numbers()))
    services.open_index(fill_new=False).rebuild(progress.counted(stored_entries(services.records)))
    progress.finish()
    return 0


def cmd_export(services: Services, args) -> int:
    """A full backup into an empty folder, or one patient's originals with ``--patient``."""
    from shoko.backup import BackupError, export_backup, export_patient

    try:
        if args.patient is not None:
            rows = export_patient(services, args.dir, args.patient.strip(), actor="cli")
            print(f"{_plain(args.dir)}: 患者 {_plain(args.patient)} の文書 {len(rows)} 件を書き出しました")
        else:
            entries = export_backup(services, args.dir, actor="cli")
            print(f"{_plain(args.dir)}: {len(entries)} files exported (manifest.json)")
    except BackupError as e:
        print(f"shoko: export refused: {e}", file=sys.stderr)
        return 1
    return 0


def cmd_import(services: Services, args) -> int:
    """Restore an export into the (empty) data directory, rebuild the index, verify."""
    from shoko.backup import BackupError, import_backup

    try:
        result = import_backup(services, args.dir, actor="cli")
    except BackupError as e:
        print(f"shoko: import refused: {e}", file=sys.stderr)
        return 1
    if result.problems:
        print("shoko: restored, but verify reports problems:\n" + "\n".join(result.problems), file=sys.stderr)
        return 1
    print(f"restored {result.files} files, {result.documents} documents; index rebuilt; verify: intact")
    return 0


def cmd_trash(services: Services, args) -> int:
    """Move a document to the trash with a reason (audited); 1 for an unknown id."""
    return _trash_step(lambda: services.trash_document(args.doc_id, args.reason, actor="cli"), args.doc_id,
                       lambda _: f"moved to the trash; purge possible from {services.retention_end(args.doc_id)}")


def cmd_restore(services: Services, args) -> int:
    """Take a document out of the trash (audited)."""
    return _trash_step(lambda: services.restore_document(args.doc_id, actor="cli"), args.doc_id,
                       lambda _: "restored")


def cmd_purge(services: Services, args) -> int:
    """Remove a trashed document for good; refused (2) before its retention period ends."""
    return _trash_step(lambda: services.purge_document(args.doc_id, actor="cli"), args.doc_id,
                       lambda removed: "purged" + ("" if removed else
                                                   " (the original stays: other parts of the file remain)"),
                       refused="purge refused: ")


def _trash_step(step, doc_id: str, done, refused: str = "") -> int:
    """Run one trash step: 0 done, 1 for an unknown document, 2 when the records refuse it."""
    from kernel.errors import RecordsError

    try:
        result = step()
    except UnknownDocument:
        print(f"shoko: no document {_plain(doc_id)}", file=sys.stderr)
        return 1
    except RecordsError as e:
        print(f"shoko: {refused}{e}", file=sys.stderr)
        return 2
    print(f"{_plain(doc_id)}: {done(result)}")
    return 0


def cmd_timestamp(services: Services, args) -> int:
    """Stamp every original without a token; 1 when some could not be stamped, 2 without ``tsa_url``."""
    from shoko.timestamps import TimestampError, stamp_checkpoint, stamp_missing

    if not services.config.tsa_url:
        print("shoko: no time-stamping authority configured (setting tsa_url)", file=sys.stderr)
        return 2
    stamped, problems = stamp_missing(services.records, services.timestamps)
    head = None
    try:
        head = stamp_checkpoint(services.records.seal, services.timestamps)
    except (TimestampError, OSError) as e:
        problems.append(f"audit checkpoint: {e}")
    for problem in problems:
        print(f"shoko: {_plain(problem)}", file=sys.stderr)
    print(f"{stamped} originals timestamped, {len(problems)} failed"
          + ("; the audit log's head timestamped" if head else ""))
    return 1 if problems else 0


def cmd_user_add(services: Services, args) -> int:
    """Create or update an account; the password is the first line of standard input."""
    from werkzeug.security import generate_password_hash

    from webui.accounts import password_problem, username_problem

    problem = username_problem(args.name)
    if problem:
        print(f"shoko: invalid user name {_plain(args.name)!r}: {problem}", file=sys.stderr)
        return 2
    if args.role not in services.permissions.roles:
        print(f"shoko: unknown role {args.role!r} (one of: {', '.join(services.permissions.roles)})",
              file=sys.stderr)
        return 2
    password = sys.stdin.readline().rstrip("\r\n")
    problem = password_problem(password, args.name)
    if problem:
        print(f"shoko: the password (first line of standard input) is too weak: {problem}", file=sys.stderr)
        return 2
    services.records.save_user(args.name, generate_password_hash(password), args.role, actor="cli")
    return 0


def cmd_user_disable(services: Services, args) -> int:
    """Disable or enable an account; accounts are never deleted (their names are in the history)."""
    user = services.records.get_user(args.name)
    if user is None:
        print(f"shoko: no account {_plain(args.name)!r}", file=sys.stderr)
        return 1
    if args.disable and user["role"] == "admin" and not user["disabled_at"]:
        active_admins = [u for u in services.records.users() if u["role"] == "admin" and not u["disabled_at"]]
        if len(active_admins) <= 1:
            print("shoko: the last enabled admin cannot be disabled", file=sys.stderr)
            return 2
    services.records.set_user_disabled(args.name, args.disable, actor="cli")
    return 0


def _plain(text) -> str:
    """``text`` on one line of plain output: line breaks, tabs and other control characters escaped."""
    import unicodedata

    text = str(text)
    if text.isprintable():
        return text
    escapes = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
    # Spaces such as the ideographic space (全角スペース, common in Japanese names) stay as they are.
    return "".join(c if c.isprintable() or unicodedata.category(c) == "Zs" else escapes.get(c) or (f"\\x{ord(c):02x}" if ord(c) < 0x100 else
                   f"\\u{ord(c):04x}" if ord(c) < 0x10000 else f"\\U{ord(c):08x}") for c in text)


class _CountProgress:
    """Documents done out of a total, and the rate, on one line of stderr (a new line
    every few seconds when stderr is not a terminal)."""

    def __init__(self, stream, total: int):
        self.stream = stream
        self.total = total
        self.done = 0
        self.started = self.last = time.monotonic()
        self.interactive = stream.isatty()

    def counted(self, items):
        """``items`` passed through, counted and reported as they go."""
        for item in items:
            yield item
            self.done += 1
            now = time.monotonic()
            if now - self.last >= (0.5 if self.interactive else 5):
                self.last = now
                self._show(now)

    def _show(self, now: float) -> None:
        rate = self.done / max(now - self.started, 1e-6)
        line = f"索引を作成中: {self.done}/{self.total} 件（{rate:.0f} 件/秒）"
        self.stream.write("\r\033[K" + line if self.interactive else line + "\n")
        self.stream.flush()

    def finish(self) -> None:
        elapsed = time.monotonic() - self.started
        if self.interactive:
            self.stream.write("\r\033[K")
        self.stream.write(f"索引の作成を完了: {self.done} 件（{elapsed:.1f}秒）\n")
        self.stream.flush()


class _Progress:
    """Pages done, total and time left, on one line of stderr."""

    def __init__(self, stream):
        self.stream = stream
        self.started = time.monotonic()
        self.shown = False
        self.last = 0.0
        self.interactive = stream.isatty()

    def __call__(self, done: int, total: int, files_left: int) -> None:
        now = time.monotonic()
        if self.interactive is False and now - self.last < 5 and done < total:
            return
        self.last = now
        elapsed = now - self.started
        left = elapsed / done * (total - done) if done else None
        eta = f"残り約{int(left // 60)}分{int(left % 60):02d}秒" if left is not None else "残り時間を計算中"
        line = f"進捗: {done}/{total} ページ完了, 残り{files_left}ファイル, {eta}"
        if self.interactive:
            self.stream.write("\r\033[K" + line)
            self.shown = True
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def clear(self) -> None:
        if self.shown:
            self.stream.write("\r\033[K")
            self.shown = False

    def finish(self) -> None:
        self.clear()
        self.stream.write(f"完了 ({time.monotonic() - self.started:.1f}秒)\n")
