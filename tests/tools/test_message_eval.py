"""The message-checker evaluation with the recipient the user states, beside the text-only headline."""
from __future__ import annotations

import json

from bot.message_eval import WITH_RECIPIENT, main, markdown, realworld_items, run, stated_recipient
from tests.tools.conftest import KNOWLEDGE


def test_unknown_recipient_is_not_stated():
    assert stated_recipient("unknown") is None
    assert stated_recipient("relative") == "relative"


def test_dev_report_adds_recipient_columns_to_the_text_only_figures(corpus, capsys):
    report = run(corpus, KNOWLEDGE, None, split="dev")
    real = report["sets"]["realworld"]
    assert list(real) == ["rules", "rules" + WITH_RECIPIENT]          # text-only first: the headline
    assert list(report["sets"]["inhouse"]) == ["rules"]               # the in-house cases state no recipient
    text_only, stated = real["rules"], real["rules" + WITH_RECIPIENT]
    assert stated["messages"] == text_only["messages"]
    # Dev holds messages received by relatives and employers whose text alone shows no third party.
    items = realworld_items(KNOWLEDGE, "dev")
    assert any(i.recipient in ("contact", "relative", "employer") for i in items)
    disclosure = "third_party_disclosure"
    assert stated["per_code"][disclosure]["recall"] > text_only["per_code"][disclosure]["recall"]
    assert stated["lawful_flagged"] <= text_only["lawful_flagged"] + 1e-9
    # Only messages to a third party can change.
    third = {i.id for i in items if i.recipient in ("contact", "relative", "employer")}
    changed = {m["id"] for m in text_only["misses"]} ^ {m["id"] for m in stated["misses"]}
    assert changed and changed <= third
    page = markdown(report)
    assert "rules+recipient" in page and "recipient the user states" in page
    assert main(["--split", "dev", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)["sets"]["realworld"]
    assert "rules" + WITH_RECIPIENT in printed
