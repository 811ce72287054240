"""Command line: `python -m bot [ask|chat|sources|check|script|complain|contact] …`.

- `ask "问题"` prints the answer; `--json` prints one JSON object per question.
  Without a question it reads one question per line from stdin and writes JSON Lines
  (the engine is loaded once).
- `chat` is a console chat with history; `python -m bot` alone starts Telegram when
  TELEGRAM_BOT_TOKEN is set, otherwise explains how to set it and starts the chat.
- `sources` lists the documents the answers rely on, with dates and status.
- `check`, `script`, `complain`, `contact` are the advice tools (bot.cli.tools).
- `log add|list|export|forget` keeps the harassment log (bot.evidence.cli).
"""
from __future__ import annotations

import argparse
import json
import sys

TOOLS = ("check", "script", "complain", "contact")

NO_TOKEN = ("TELEGRAM_BOT_TOKEN is not set, so the Telegram bot is not started.\n"
            "To run it on Telegram: get a token from @BotFather, put TELEGRAM_BOT_TOKEN=<token> in .env "
            "(see .env.example) and run `make run` again.\n"
            "未设置 TELEGRAM_BOT_TOKEN：下面启动控制台对话。")


def _settings():
    """Settings from the environment; an invalid value is one line naming the setting, exit 2."""
    from pydantic import ValidationError

    from bot.config import get_settings

    try:
        return get_settings()
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']).upper()}: {e['msg']}" for e in exc.errors())
        print(f"error: invalid setting ({problems})", file=sys.stderr)
        raise SystemExit(2) from None


def _engine(settings, warm: bool = False):
    """Load the engine once; a missing index is a clear error, not a traceback.

    A one-off question loads only what it needs; `warm` loads everything now (interactive chat).
    """
    from bot.engine import Engine
    from ingest.reader import IndexMissingError

    try:
        engine = Engine.from_settings(settings)
        if warm:
            engine.warm_up()
        return engine
    except IndexMissingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def citation_json(citation) -> dict:
    return {"doc_id": citation.doc_id, "title": citation.title, "short_title": citation.short_title,
            "article": citation.article, "status": citation.status, "quote": citation.quote,
            "caveat": citation.caveat, "locator": citation.locator, "display": citation.display}


def answer_json(answer) -> dict:
    return {"question": answer.question, "answer": answer.text, "intent": answer.intent,
            "language": answer.language, "mode": answer.mode,
            "citations": [citation_json(c) for c in answer.citations],
            "followups": answer.followups, "topic": answer.topic, "role": answer.role,
            "suggested_tool": answer.suggested_tool, "latency_ms": round(answer.latency_ms, 1)}


def cmd_ask(args, settings) -> int:
    from ingest.reader import IndexMissingError

    engine = _engine(settings)
    try:
        return _ask(engine, args)
    except IndexMissingError as exc:    # the Chroma collection is opened by the first question
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _ask(engine, args) -> int:
    from bot.engine.specifics import tool_hint

    language = args.lang
    if args.question:
        answer = engine.answer(" ".join(args.question), language=language)
        if args.json:
            print(json.dumps(answer_json(answer), ensure_ascii=False))
        else:
            hint = tool_hint(answer.suggested_tool, answer.language)
            print(answer.text + (f"\n\n{hint}" if hint else ""))
        return 0
    # Batch: one question per line, JSON Lines out (always JSON: the output is for programs).
    # Lines are decoded one by one, so a line that is not UTF-8 gets an error line and the rest is answered.
    for number, raw in enumerate(sys.stdin.buffer, 1):
        try:
            question = raw.decode("utf-8").strip()
        except UnicodeDecodeError as exc:
            print(json.dumps({"line": number, "error": f"not valid UTF-8 (byte {exc.start}); line skipped"}),
                  flush=True)
            continue
        if not question:
            continue
        answer = engine.answer(question, language=language)
        print(json.dumps(answer_json(answer), ensure_ascii=False), flush=True)
    return 0


def cmd_chat(args, settings) -> int:
    from bot.cli.console import chat

    return chat(_engine(settings, warm=True), settings)


def cmd_sources(args, settings) -> int:
    from bot.engine.lookup import load_document_data
    from ingest.corpus import STATUS_LABELS, CorpusError, load_corpus

    try:
        corpus = load_corpus(settings.knowledge_dir)
    except CorpusError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    english = load_document_data().get("english", {})
    rows = []
    for doc in sorted(corpus.documents.values(), key=lambda d: (not d.in_force, d.kind, d.id)):
        rows.append({"doc_id": doc.id, "title": doc.title, "short_title": doc.short_title, "kind": doc.kind,
                     "promulgated": doc.promulgated, "effective": doc.effective, "status": doc.status,
                     "articles": len(doc.articles), "caveat": doc.caveat, "english": english.get(doc.id)})
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    for r in rows:
        caveat = f"  [{r['caveat']}]" if r["caveat"] else ""
        print(f"{r['title']}（{r['short_title']}）  施行 {r['effective']}  "
              f"{STATUS_LABELS.get(r['status'], r['status'])}  {r['articles']}条  {r['doc_id']}{caveat}")
    return 0


def run_default(settings) -> int:
    """`python -m bot`: Telegram with a token, otherwise the console chat."""
    if settings.telegram_bot_token and settings.telegram_bot_token.get_secret_value():
        from bot.telegram_app import run_telegram

        run_telegram(settings)
        return 0
    print(NO_TOKEN, file=sys.stderr)
    return cmd_chat(None, settings)


def run_tool(name: str, argv: list[str]) -> int:
    from bot.cli import tools as tools_cli

    return getattr(tools_cli, f"run_{name}")(argv)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="知权 Zhiquan — rights when a debt collector calls.")
    sub = parser.add_subparsers(dest="command")
    ask = sub.add_parser("ask", help="answer a question (or questions from stdin, JSON Lines)")
    ask.add_argument("question", nargs="*", help="the question; omit to read one per line from stdin")
    ask.add_argument("--json", action="store_true", help="print a JSON object instead of text")
    ask.add_argument("--lang", choices=("zh-Hans", "zh-Hant", "en"), help="answer language (default: detect)")
    sub.add_parser("chat", help="interactive console chat")
    sources = sub.add_parser("sources", help="list the documents in the knowledge base")
    sources.add_argument("--json", action="store_true")
    sub.add_parser("log", help="harassment log: add, list, export, forget (see `python -m bot log --help`)",
                   add_help=False)
    for tool in TOOLS:
        sub.add_parser(tool, help=f"advice tool: {tool} (see `python -m bot {tool} --help`)", add_help=False)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    from bot.logging_setup import setup_logging

    settings = _settings()
    setup_logging(settings)
    if argv and argv[0] in TOOLS:
        return run_tool(argv[0], argv[1:])
    if argv and argv[0] == "log":
        from bot.evidence.cli import run_log

        return run_log(argv[1:])
    args = build_parser().parse_args(argv)
    if args.command is None:
        return run_default(settings)
    handler = {"ask": cmd_ask, "chat": cmd_chat, "sources": cmd_sources}[args.command]
    return handler(args, settings)


__all__ = ["main", "answer_json", "build_parser"]
