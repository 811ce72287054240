"""Command-line entry points for the advice tools (wired to `python -m bot check|script|complain|contact`).

- check: reads the message from stdin; prints the findings, or JSON with --json; --recipient says
  who received it (the borrower, or a contact, relative or employer: a third party). Without it, a
  role the text's lead states ("我是他的紧急联系人，收到短信：…") is taken, cut from the text, and said.
- script / complain / contact: ask each question on the terminal (prompts on stderr, the result on
  stdout), or take the answers as flags / --answers file.json for non-interactive use;
  --out FILE writes the generated document (.docx, or plain text when FILE ends in .txt).
Exit codes: 0 done, 2 bad input (the reason is printed on stderr).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bot.language import LANGUAGES, detect_language
from bot.tools.checker import CheckerInputError, check_message
from bot.tools.common import default_corpus
from bot.tools.documents import to_txt
from bot.tools.recipient import RECIPIENTS
from bot.tools.stated_recipient import stated_note, stated_recipient
from bot.tools.wizard import WIZARDS, FormWizard, InputError, Step, ToolResult


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


# --- check -------------------------------------------------------------------------------

def run_check(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot check",
                                     description="Check a collector's message (read from stdin) for unlawful conduct.")
    parser.add_argument("--json", action="store_true", help="print {lawful, findings: [...]} as JSON")
    parser.add_argument("--lang", choices=LANGUAGES, help="reply language (default: the message's own)")
    parser.add_argument("--image", type=Path, help="check a screenshot (OCR) instead of text from stdin")
    parser.add_argument("--recipient", choices=RECIPIENTS,
                        help="who received the message (default: not said); a contact, relative or employer "
                             "who receives a message about the borrower's debt is a third party")
    args = parser.parse_args(argv)
    if args.image:
        from bot.evidence.cli import check_image

        return check_image(args.image, args.json, args.lang, args.recipient)
    text = sys.stdin.read()
    statement = stated_recipient(text)
    if statement is not None:       # the user's own words are not the collector's
        text = statement.rest
    assumed = statement if statement is not None and args.recipient is None else None
    recipient = args.recipient or (assumed.role if assumed is not None else None)
    try:
        result = check_message(text, default_corpus(), lang=args.lang, recipient=recipient)
    except CheckerInputError as exc:
        return _fail(exc.message(args.lang or "zh-Hans"))
    if args.json:
        print(json.dumps({**result.to_json(), "recipient_said": assumed.words if assumed else None},
                         ensure_ascii=False, indent=2))
    else:
        print(result.render())
        if assumed is not None:
            print("\n" + stated_note(assumed, result.language, "recipient_stated_cli"))
    return 0


# --- wizards -----------------------------------------------------------------------------

def run_script(argv: list[str] | None = None) -> int:
    return _run_wizard("script", argv)


def run_complain(argv: list[str] | None = None) -> int:
    return _run_wizard("complain", argv)


def run_contact(argv: list[str] | None = None) -> int:
    return _run_wizard("contact", argv)


def _parser(name: str, wizard: FormWizard) -> argparse.ArgumentParser:
    descriptions = {"script": "Build a negotiation script and instalment application.",
                    "complain": "Build complaints about improper debt collection.",
                    "contact": "Guide for someone called about another person's debt."}
    parser = argparse.ArgumentParser(prog=f"python -m bot {name}", description=descriptions[name])
    for q in wizard.questions:
        options = f" (options: {', '.join(f'{i}={c.zh}' for i, c in enumerate(q.choices, 1))})" if q.choices else ""
        parser.add_argument(f"--{q.key.replace('_', '-')}", dest=q.key, metavar="ANSWER", help=q.en + options)
    parser.add_argument("--answers", type=Path, help="JSON file mapping question keys to answers")
    parser.add_argument("--lang", choices=LANGUAGES, default=None, help="output language (default zh-Hans)")
    parser.add_argument("--out", type=Path, help="write the document here (.docx, or .txt for plain text)")
    return parser


def _given_answers(args, wizard: FormWizard) -> dict[str, str]:
    answers: dict[str, str] = {}
    if args.answers:
        try:
            data = json.loads(args.answers.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError(f"无法读取 {args.answers}：{exc}", f"cannot read {args.answers}: {exc}") from None
        if not isinstance(data, dict):
            raise InputError(f"{args.answers} 应是 JSON 对象", f"{args.answers} must hold a JSON object")
        keys = {q.key for q in wizard.questions}
        unknown = sorted(set(data) - keys)
        if unknown:
            raise InputError(f"未知的回答项：{', '.join(unknown)}（可用：{', '.join(sorted(keys))}）",
                             f"unknown answer keys: {', '.join(unknown)} (expected: {', '.join(sorted(keys))})")
        answers.update({k: " ".join(map(str, v)) if isinstance(v, list) else str(v) for k, v in data.items()})
    for q in wizard.questions:
        value = getattr(args, q.key)
        if value is not None:
            answers[q.key] = value
    return answers


def _show(step: Step) -> None:
    if step.error:
        print(f"! {step.error}", file=sys.stderr)
    if step.prompt:
        print(step.prompt, file=sys.stderr)
        if step.choices:
            print("  " + "  ".join(f"{i}) {c}" for i, c in enumerate(step.choices, 1)), file=sys.stderr)


def _interact(wizard: FormWizard, answers: dict[str, str], lang: str) -> ToolResult:
    """Feed given answers; ask on the terminal for the rest. A rejected given answer is an error."""
    state, step = wizard.start(lang)
    while not step.done:
        key = state["pending"]
        if key in answers:
            step = wizard.handle(state, answers.pop(key), lang)
            if step.error:
                raise InputError(f"--{key.replace('_', '-')}：{step.error}", f"--{key.replace('_', '-')}: {step.error}")
            continue
        step = wizard.handle(state, _ask(step, key), lang)
        while step.error and not step.done:
            step = wizard.handle(state, _ask(step, key), lang)
    return step.result


def _ask(step, key: str) -> str:
    """Show the step's question and read one answer line from stdin."""
    _show(step)
    print("> ", end="", file=sys.stderr, flush=True)
    line = sys.stdin.readline()
    if not line:
        raise InputError(f"输入在回答 {key} 之前结束", f"input ended before '{key}' was answered")
    return line.strip()


def _write(result: ToolResult, out: Path) -> None:
    if out.suffix.lower() == ".txt" or result.document_bytes is None:
        out.write_bytes(to_txt(result.document_name or out.stem, result.text))
    else:
        out.write_bytes(result.document_bytes)


def _run_wizard(name: str, argv: list[str] | None) -> int:
    wizard = WIZARDS[name]()
    parser = _parser(name, wizard)
    if name == "complain":
        parser.add_argument("--log", action="store_true", help="attach the harassment log (python -m bot log)")
    args = parser.parse_args(argv)
    if getattr(args, "log", False):
        from bot.evidence.cli import local_incidents

        wizard.incidents = local_incidents()
    lang = args.lang or "zh-Hans"
    try:
        answers = _given_answers(args, wizard)
        if args.lang is None and answers:
            lang = detect_language(" ".join(answers.values()))
        result = _interact(wizard, answers, lang)
    except InputError as exc:
        return _fail(exc.message(lang))
    print(result.text)
    if args.out:
        try:
            _write(result, args.out)
        except OSError as exc:
            return _fail(f"cannot write {args.out}: {exc.strerror}")
        print(f"\n[{args.out}]", file=sys.stderr)
    return 0

