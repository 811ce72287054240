"""How well roles said in words are read: `python -m bot.stated_eval [--json] [--split dev]`.

`bot/tools/stated_recipient.py` takes a role only from a clear statement ("我是他的紧急联系人"); a wrong
role would add third-party findings to the user's own messages, so precision comes first. Measured on:
- the in-house questions (tests/eval/questions.yaml, `asker`; no `asker` is the borrower),
- the real-world questions of one split (knowledge/realworld/questions.yaml, `role`; a spouse is a
  relative to the checker, `unknown` is left out),
- the real-world collector messages of the same split: a role read in their lead (where a user would
  introduce a pasted message) is a false statement, since every word there is the collector's.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import yaml

from bot.tools.recipient import THIRD_PARTIES
from bot.tools.stated_recipient import stated_recipient
from ingest.realworld import load_messages, load_questions

ROOT = Path(__file__).resolve().parent.parent
IN_HOUSE = ROOT / "tests" / "eval" / "questions.yaml"
# The dataset's asker roles as the checker's recipients; a guarantor signed, so is no third party.
AS_RECIPIENT = {"spouse": "relative", "guarantor": "borrower"}


def score(pairs: list[tuple[str, str]]) -> dict:
    """(labelled role, text) pairs -> statements read, right, and third-party askers found."""
    read = [(role, stated_recipient(text, lead_only=False)) for role, text in pairs]
    said = [(role, s.role) for role, s in read if s is not None]
    third = [(role, s) for role, s in read if role in THIRD_PARTIES]
    return {"questions": len(pairs), "roles_read": len(said), "right": sum(role == got for role, got in said),
            "third_party_askers": len(third), "found": sum(s is not None and s.role == role for role, s in third)}


def evaluate(knowledge_dir: Path | str, split: str) -> dict:
    in_house = [(q.get("asker", "borrower"), q["question"]) for q in yaml.safe_load(IN_HOUSE.read_text("utf-8"))]
    real = [(AS_RECIPIENT.get(q.role, q.role), q.text) for q in load_questions(knowledge_dir, splits=(split,))
            if q.role != "unknown"]
    messages = load_messages(knowledge_dir, splits=(split,))
    return {"split": split, "in_house": score([(AS_RECIPIENT.get(r, r), t) for r, t in in_house]),
            "realworld": score(real), "collector_messages": len(messages),
            "collector_messages_with_a_role": sum(stated_recipient(m.text) is not None for m in messages)}


def markdown(report: dict) -> str:
    def row(name: str, s: dict) -> str:
        return (f"| {name} | {s['questions']} | {s['roles_read']} | {s['right']} | "
                f"{s['found']} of {s['third_party_askers']} |")
    return "\n".join([
        "| Questions | n | roles read | right | third-party askers found |", "|---|---|---|---|---|",
        row("in-house", report["in_house"]), row(f"real-world `{report['split']}`", report["realworld"]), "",
        f"Real-world collector messages (`{report['split']}`) with a role read in their lead: "
        f"{report['collector_messages_with_a_role']} of {report['collector_messages']}."])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.stated_eval", description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="dev", choices=("train", "dev", "test"))
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--knowledge-dir", type=Path, default=ROOT / "knowledge")
    args = parser.parse_args(argv)
    report = evaluate(args.knowledge_dir, args.split)
    print(json.dumps(report, ensure_ascii=False, indent=2) if args.json else markdown(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
