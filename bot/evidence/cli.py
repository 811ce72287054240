"""`python -m bot log add|list|export|forget` and `python -m bot check --image FILE`.

The command-line log belongs to one local user (LOG_USER, default "local") and lives in the
same store as the Telegram users' logs. Exit codes: 0 done, 2 bad input (reason on stderr).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from bot.evidence import export, timeline
from bot.evidence.incidents import CHANNEL_WORDS, CHANNELS, CONTACTED, CONTACTED_WORDS, Incident, IncidentError, findings_of, pick
from bot.evidence.log_store import LogStoreError, store_from_settings
from bot.evidence.ocr import ImageInputError
from bot.evidence.when import WhenError, parse_when
from bot.language import LANGUAGES, detect_language
from bot.tools.checker import CheckerInputError, check_message
from bot.tools.common import default_corpus, say

LOCAL_USER = os.environ.get("LOG_USER", "local")


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


def _settings():
    from bot.config import get_settings

    return get_settings()


def _options(table: dict) -> str:
    return ", ".join(f"{code}={zh}" for code, (zh, _) in table.items())


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bot log", description="Keep a log of collection harassment.")
    sub = p.add_subparsers(dest="action", required=True)
    add = sub.add_parser("add", help="record one incident")
    add.add_argument("--when", default="", help='when it happened: "昨晚11点", "12月3日 23:40", "2026-11-30 08:15" (default now)')
    add.add_argument("--number", default="", help="the caller's number or account")
    add.add_argument("--channel", default="call", help=f"how: {_options(CHANNELS)}")
    add.add_argument("--contacted", default="me", help=f"whom: {_options(CONTACTED)}")
    add.add_argument("--text", help="what was said (default: read from stdin)")
    add.add_argument("--image", type=Path, help="a screenshot: its OCR text is logged and the image kept")
    add.add_argument("--lang", choices=LANGUAGES, default=None)
    ls = sub.add_parser("list", help="the timeline with counts and flags")
    ls.add_argument("--json", action="store_true")
    ls.add_argument("--lang", choices=LANGUAGES, default="zh-Hans")
    ex = sub.add_parser("export", help="write the log as .docx (timeline table) or .csv")
    ex.add_argument("out", type=Path, help="output file, .docx or .csv")
    ex.add_argument("--lang", choices=LANGUAGES, default="zh-Hans")
    sub.add_parser("forget", help="delete the whole log and kept screenshots")
    return p


def run_log(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    settings = _settings()
    store = store_from_settings(settings)
    try:
        return {"add": _add, "list": _list, "export": _export, "forget": _forget}[args.action](args, store, settings)
    except (IncidentError, WhenError, ImageInputError, CheckerInputError) as exc:
        return _fail(exc.en if getattr(args, "lang", None) == "en" else exc.zh)
    except LogStoreError as exc:
        return _fail(str(exc))


def _add(args, store, settings) -> int:
    corpus = default_corpus()
    image = None
    if args.image:
        from bot.evidence.screenshot import read_screenshot

        try:
            image = args.image.read_bytes()
        except OSError as exc:
            return _fail(f"cannot read {args.image}: {exc.strerror}")
        report = read_screenshot(image, corpus, args.lang)
        text, findings, source = report.text, [{"code": f.code, "excerpt": f.excerpt} for f in report.findings], "screenshot"
    else:
        text = args.text if args.text is not None else sys.stdin.read()
        findings = findings_of(check_message(text, corpus, lang="zh-Hans")) if text.strip() else []
        source = "typed"
    when = parse_when(args.when, tz=settings.user_timezone)
    incident = Incident(occurred_at=when.at.isoformat(), has_time=when.has_time, number=args.number.strip(),
                        channel=pick(CHANNELS, CHANNEL_WORDS, args.channel, "call"),
                        contacted=pick(CONTACTED, CONTACTED_WORDS, args.contacted, "me"),
                        text=text.strip(), findings=findings, source=source)
    store.append(LOCAL_USER, incident, image)
    lang = args.lang or detect_language(text)
    titles = "、".join(f["code"] for f in findings) or say("无", "none", lang)
    print(say(f"已记录：{when.at:%Y-%m-%d %H:%M}（编号 {incident.id}；发现：{titles}）",
              f"Recorded: {when.at:%Y-%m-%d %H:%M} (id {incident.id}; findings: {titles})", lang))
    return 0


def _list(args, store, settings) -> int:
    tl = timeline.build(store.list(LOCAL_USER), default_corpus(), settings.user_timezone)
    if args.json:
        print(json.dumps({"incidents": [i.to_json() for i in tl.incidents],
                          "per_day": {d.isoformat(): n for d, n in sorted(tl.per_day.items())},
                          "per_number": tl.per_number, "busy_days": [d.isoformat() for d in tl.busy_days],
                          "night": [i.id for i in tl.night], "note": tl.note("en")}, ensure_ascii=False, indent=2))
    else:
        print(tl.render(args.lang))
    return 0


def _export(args, store, settings) -> int:
    tl = timeline.build(store.list(LOCAL_USER), default_corpus(), settings.user_timezone)
    suffix = args.out.suffix.lower()
    if suffix not in (".docx", ".csv"):
        return _fail("the output file must end in .docx or .csv")
    data = (export.to_docx if suffix == ".docx" else export.to_csv)(tl, default_corpus(), args.lang)
    try:
        args.out.write_bytes(data)
    except OSError as exc:
        return _fail(f"cannot write {args.out}: {exc.strerror}")
    print(f"{len(tl.incidents)} incident(s) -> {args.out}", file=sys.stderr)
    return 0


def _forget(args, store, settings) -> int:
    count = store.delete_user(LOCAL_USER)
    print(f"deleted {count} incident(s) and their screenshots", file=sys.stderr)
    return 0


def check_image(path: Path, as_json: bool, lang: str | None, recipient: str | None = None) -> int:
    """`python -m bot check --image FILE [--recipient ROLE]`: OCR the screenshot and check each message."""
    from bot.evidence.screenshot import read_screenshot

    try:
        data = path.read_bytes()
    except OSError as exc:
        return _fail(f"cannot read {path}: {exc.strerror}")
    try:
        report = read_screenshot(data, default_corpus(), lang, recipient)
    except ImageInputError as exc:
        return _fail(exc.en if lang == "en" else exc.zh)
    if as_json:
        print(json.dumps({"text": report.text, "timestamps": report.timestamps,
                          "messages": [{"text": m.text, "side": m.side, **m.result.to_json()} for m in report.messages],
                          "codes": sorted(report.codes)}, ensure_ascii=False, indent=2))
    else:
        print(report.render())
    return 0


def local_incidents() -> list[Incident]:
    """The command-line user's log (for `python -m bot complain --log`)."""
    return store_from_settings(_settings()).list(LOCAL_USER)
