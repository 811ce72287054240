"""The data the classifiers and the rule matcher moved into ingest stay in step with the bot's."""
from __future__ import annotations

import itertools

import pytest
import yaml

from bot.datafiles import load_yaml as bot_yaml
from bot.engine.not_covered import topics
from bot.engine.refusals import refusal_kinds
from bot.tools.amounts import AmountError
from bot.tools.amounts import parse_count as amount_count
from ingest.classifiers.message_rules import CODES, RULES_PATH
from ingest.classifiers.question_model import written_examples
from ingest.datafiles import load_yaml
from ingest.numerals import parse_count

# What the hour and frequency regexes of the rules capture: ASCII digits, or Chinese numerals.
COUNT_ALPHABETS = ("0123456789", "一二两三四五六七八九十百几数")


def _count(parse, text):
    try:
        return parse(text)
    except (AmountError, ValueError):
        return "not a count"


@pytest.mark.parametrize("alphabet", COUNT_ALPHABETS)
def test_rule_count_parser_reads_what_the_amount_parser_reads(alphabet):
    """The matcher's own count parser gives the bot's answer for every capture up to 3 characters."""
    for n in range(1, 4):
        for chars in itertools.product(alphabet, repeat=n):
            text = "".join(chars)
            assert _count(parse_count, text) == _count(amount_count, text), text


def test_count_parser_examples():
    assert [parse_count(t) for t in ("20", "二十", "二百五", "一百零五", "几十", "十几")] == [20, 20, 250, 105, 20, 10]
    with pytest.raises(ValueError):
        parse_count("三几")


def test_every_code_has_patterns_in_ingest_and_wording_in_bot():
    patterns = yaml.safe_load(RULES_PATH.read_text(encoding="utf-8"))["rules"]
    wording = bot_yaml("checker_rules.yaml")["rules"]
    assert list(patterns) == list(wording) == list(CODES)
    assert all(set(spec) <= {"patterns", "unless", "detector"} for spec in patterns.values())
    assert all(not set(spec) & {"patterns", "unless", "detector"} for spec in wording.values())


def test_written_examples_name_the_bots_topics_and_kinds():
    """Every not-covered topic and refusal kind has training phrasings, and none is orphaned."""
    data = load_yaml("question_examples.yaml")
    assert set(data["not_covered"]) == {t.id for t in topics()}
    assert set(data["refused"]) == {k.id for k in refusal_kinds()} | {"other"}
    examples = written_examples()
    assert all(examples["not_covered"]) and all(examples["refused"])
    assert all(len(group) >= 3 for group in (*data["not_covered"].values(), *data["refused"].values()))
