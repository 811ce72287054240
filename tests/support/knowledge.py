"""A small knowledge folder for fast ingest tests (3 short regulations, the guidance article, 1 card)."""
from __future__ import annotations

import shutil
from pathlib import Path

from tests.support import KNOWLEDGE

SMALL_DOCS = ("credit-card-measures-2011", "spc-limit-consumption-2015", "spc-bank-card-disputes-2021")

CARD = """---
id: test-contact-calls
topic: 催收能不能打给紧急联系人
audience: both
intent: contact_rights
questions:
  - 催收可以打我紧急联系人电话吗
  - 逾期了催收天天打我爸妈电话合法吗
cites:
  - {doc: credit-card-measures-2011, article: 第六十八条}
  - {doc: spc-limit-consumption-2015, article: 第一条}
---
## 直接回答
发卡银行不得对与债务无关的第三人进行催收。

## 怎么做
- 保留通话记录。

## 不要做
- 不要替别人还钱。
"""


def make_small_knowledge(root: Path) -> Path:
    knowledge = root / "knowledge"
    (knowledge / "regulations").mkdir(parents=True)
    for doc in SMALL_DOCS:
        shutil.copy(KNOWLEDGE / "regulations" / f"{doc}.md", knowledge / "regulations")
    shutil.copytree(KNOWLEDGE / "guidance", knowledge / "guidance")
    (knowledge / "cards").mkdir()
    (knowledge / "cards" / "test-contact-calls.md").write_text(CARD, encoding="utf-8")
    return knowledge
