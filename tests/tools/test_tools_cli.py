"""CLI entry points of the advice tools, run in-process with real stdin/stdout and real files."""
from __future__ import annotations

import io
import json

import pytest

from bot.cli import tools as cli
from bot.tools.documents import docx_text


@pytest.fixture(autouse=True)
def knowledge(monkeypatch):
    # The CLI loads the corpus named by the settings; point it at the repository's knowledge/.
    from pathlib import Path

    from bot.config import get_settings

    monkeypatch.setenv("KNOWLEDGE_DIR", str(Path(__file__).resolve().parents[2] / "knowledge"))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def feed(monkeypatch, text: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(text))


def test_check_prints_findings(monkeypatch, capsys):
    feed(monkeypatch, "你这个老赖，再不还钱就爆你通讯录\n")
    assert cli.run_check([]) == 0
    out = capsys.readouterr().out
    assert "辱骂、侮辱" in out and "第六十八条" in out and "12348" in out


def test_check_json(monkeypatch, capsys):
    feed(monkeypatch, "我是派出所的民警，你已经被立案了")
    assert cli.run_check(["--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["lawful"] is False
    assert {f["code"] for f in data["findings"]} == {"impersonation", "false_criminal_claim"}
    citation = data["findings"][0]["citations"][0]
    assert {"doc_id", "article", "short_title", "quote", "status"} <= set(citation)



def test_check_lawful_is_reported(monkeypatch, capsys):
    feed(monkeypatch, "【中信银行】您的信用卡已逾期，请尽快还款，详询95558。")
    assert cli.run_check(["--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["lawful"] is True and data["findings"] == []


def test_check_with_recipient_finds_the_disclosure(monkeypatch, capsys):
    feed(monkeypatch, "別再躲了，欠錢遲早要還。")
    assert cli.run_check(["--json"]) == 0
    assert json.loads(capsys.readouterr().out)["lawful"] is True      # the text alone shows no third party
    feed(monkeypatch, "別再躲了，欠錢遲早要還。")
    assert cli.run_check(["--json", "--recipient", "relative"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["recipient"] == "relative"
    assert [f["code"] for f in data["findings"]] == ["third_party_disclosure"]


def test_check_takes_the_role_the_text_states_and_says_so(monkeypatch, capsys):
    message = "我是他的緊急聯絡人，收到簡訊：別再躲了，欠錢遲早要還。"
    feed(monkeypatch, message)
    assert cli.run_check(["--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["recipient"] == "contact" and data["recipient_said"] == "我是他的緊急聯絡人"
    assert [f["code"] for f in data["findings"]] == ["third_party_disclosure"]
    assert data["findings"][0]["excerpt"] == "別再躲了，欠錢遲早要還。"     # the user's words are not checked
    feed(monkeypatch, message)
    assert cli.run_check([]) == 0
    out = capsys.readouterr().out
    assert "按您說的“我是他的緊急聯絡人”" in out and "--recipient" in out
    feed(monkeypatch, message)
    assert cli.run_check(["--json", "--recipient", "borrower"]) == 0      # the flag wins
    data = json.loads(capsys.readouterr().out)
    assert data["recipient"] == "borrower" and data["lawful"] is True and data["recipient_said"] is None


def test_check_recipient_must_be_a_known_role(monkeypatch, capsys):
    feed(monkeypatch, "请尽快还款")
    with pytest.raises(SystemExit) as info:
        cli.run_check(["--recipient", "neighbour"])
    assert info.value.code == 2 and "--recipient" in capsys.readouterr().err


def test_check_empty_stdin_is_an_error(monkeypatch, capsys):
    feed(monkeypatch, "")
    assert cli.run_check([]) == 2
    assert "粘贴" in capsys.readouterr().err


def test_script_interactive_with_a_rejected_answer(monkeypatch, capsys, tmp_path):
    out_file = tmp_path / "plan.docx"
    feed(monkeypatch, "1\n五万\n3\n失业\n跳过\n0\n2000\n1\n")
    assert cli.run_script(["--out", str(out_file)]) == 0
    captured = capsys.readouterr()
    assert "金额不能为 0" in captured.err                 # re-asked with the reason
    assert "个性化分期还款申请书" in captured.out and "25期" in captured.out
    assert "个性化分期还款申请书" in docx_text(out_file.read_bytes())


def test_script_from_flags_and_txt_output(capsys, tmp_path):
    out_file = tmp_path / "plan.txt"
    args = ["--creditor", "招商银行", "--total", "3.5w", "--months-overdue", "两个月", "--hardship", "疾病",
            "--detail", "skip", "--monthly", "1000", "--goal", "减免", "--out", str(out_file)]
    assert cli.run_script(args) == 0
    assert "95555" in capsys.readouterr().out
    assert "减免" in out_file.read_text(encoding="utf-8")


def test_script_rejected_flag_is_exit_2(capsys):
    args = ["--creditor", "中信", "--total", "5000", "--months-overdue", "1", "--hardship", "1",
            "--detail", "skip", "--monthly", "9000", "--goal", "1"]
    assert cli.run_script(args) == 2
    assert "--monthly" in capsys.readouterr().err


def test_script_input_ending_early_is_exit_2(monkeypatch, capsys):
    feed(monkeypatch, "中信\n")
    assert cli.run_script([]) == 2
    assert "total" in capsys.readouterr().err


def test_complain_from_answers_file(tmp_path, capsys):
    answers = {"creditor": "中信银行", "when": "11月3日晚上11点", "number": "02112345678",
               "said": "说要找人打断我的腿", "others": "无", "evidence": ["录音", "短信"]}
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(answers, ensure_ascii=False), encoding="utf-8")
    out_file = tmp_path / "complaint.docx"
    assert cli.run_complain(["--answers", str(path), "--out", str(out_file)]) == 0
    assert "报警提纲" in capsys.readouterr().out
    assert "投诉书" in docx_text(out_file.read_bytes())


@pytest.mark.parametrize("content, message", [("{not json", "cannot read"), ("[1, 2]", "JSON object"),
                                               ('{"colour": "red"}', "unknown answer keys")])
def test_bad_answers_file(tmp_path, capsys, content, message):
    path = tmp_path / "answers.json"
    path.write_text(content, encoding="utf-8")
    assert cli.run_complain(["--answers", str(path), "--lang", "en"]) == 2
    assert message in capsys.readouterr().err


def test_contact_english(capsys):
    args = ["--guarantee", "no", "--relation", "friend", "--repeated", "yes", "--creditor", "skip", "--lang", "en"]
    assert cli.run_contact(args) == 0
    assert "You do not have to pay" in capsys.readouterr().out
