"""The quick YAML loader (libyaml when PyYAML has it) reads every data file as yaml.safe_load does."""
from __future__ import annotations

import yaml

from ingest.datafiles import DATA_DIR, parse_yaml
from tests.conftest import KNOWLEDGE
from tests.support import ROOT


def _front_matter(text: str) -> str | None:
    lines = text.lstrip("\ufeff").split("\n")
    if lines[0].strip() != "---":
        return None
    end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    return "\n".join(lines[1:end])


def test_every_data_file_and_front_matter_parses_as_with_safe_load():
    texts = [p.read_text(encoding="utf-8") for folder in (DATA_DIR, ROOT / "bot" / "data", KNOWLEDGE)
             for p in sorted(folder.rglob("*.yaml"))]
    texts += [t for t in (_front_matter(p.read_text(encoding="utf-8")) for p in sorted(KNOWLEDGE.rglob("*.md"))) if t]
    assert len(texts) > 50
    for text in texts:
        assert parse_yaml(text) == yaml.safe_load(text)


def test_malformed_yaml_is_the_same_error():
    for text in ("a: [1, 2", "a: b: c", "- x\ny: 1"):
        try:
            yaml.safe_load(text)
        except yaml.YAMLError as expected:
            try:
                parse_yaml(text)
            except yaml.YAMLError as got:
                assert (got.problem, got.problem_mark.line) == (expected.problem, expected.problem_mark.line)
                continue
        raise AssertionError(f"{text!r} parsed")
