"""The incident log: store (real files), timeline, export read back by python-docx, complaint letter."""
from __future__ import annotations

import csv
import io
import json
import stat
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.evidence import export, timeline
from bot.evidence.complaint_log import log_section
from bot.evidence.form import incident_from_form, parse_form
from bot.evidence.incidents import MAX_INCIDENTS, Incident, IncidentError, findings_of
from bot.evidence.log_store import FileIncidentLogStore, LogFullError, LogStoreError, user_key
from bot.tools.checker import check_message
from bot.tools.complaint import ComplaintWizard

TZ = ZoneInfo("Asia/Shanghai")


def incident(corpus, text="你这个老赖，再不还钱就找你家人", when=datetime(2026, 11, 30, 23, 10, tzinfo=TZ), **kw):
    return Incident(occurred_at=when.isoformat(), channel=kw.pop("channel", "call"), contacted=kw.pop("contacted", "me"),
                    text=text, number=kw.pop("number", "10690000"),
                    findings=findings_of(check_message(text, corpus, lang="zh-Hans")), **kw)


def test_log_survives_a_restart_and_files_are_private(tmp_path, corpus):
    store = FileIncidentLogStore(tmp_path / "ev")
    first = store.append("42", incident(corpus))
    store.append("42", incident(corpus, "请按时还款", when=datetime(2026, 11, 29, 9, 0, tzinfo=TZ)))
    store.append("7", incident(corpus))
    reopened = FileIncidentLogStore(tmp_path / "ev")          # a new process
    listed = reopened.list("42")
    assert [i.text for i in listed] == ["请按时还款", "你这个老赖，再不还钱就找你家人"]   # oldest first
    assert listed[1].id == first.id and listed[1].codes == first.codes
    files = list((tmp_path / "ev").glob("*.json"))
    assert len(files) == 2 and all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)
    assert all(f.stem == user_key("42") for f in files if "42" in f.name) and user_key("42") != "42"  # names hide the id
    assert not list((tmp_path / "ev").glob(".tmp-*"))        # no temp file left behind


def test_forget_deletes_the_log_and_kept_screenshots(tmp_path, corpus):
    store = FileIncidentLogStore(tmp_path)
    kept = store.append("42", incident(corpus), image=b"\x89PNG\r\n\x1a\nnot really")
    assert store.image("42", kept) == b"\x89PNG\r\n\x1a\nnot really"
    store.append("7", incident(corpus))
    assert store.delete_user("42") == 1
    assert store.list("42") == [] and store.image("42", kept) is None
    assert not any(p.is_file() and "PNG" in p.read_bytes().decode("latin-1") for p in tmp_path.rglob("*"))
    assert len(store.list("7")) == 1                        # other users are untouched


def test_limit_per_user(tmp_path, corpus):
    store = FileIncidentLogStore(tmp_path)
    base = incident(corpus)
    body = {"version": 1, "incidents": [{**base.to_json(), "id": f"{n:012x}"} for n in range(MAX_INCIDENTS)]}
    store._ensure_dir()
    store._file("42").write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(LogFullError) as exc:
        store.append("42", incident(corpus))
    assert "500" in exc.value.zh
    assert len(store.list("42")) == MAX_INCIDENTS


def test_a_corrupt_log_is_reported_and_never_overwritten(tmp_path, corpus):
    store = FileIncidentLogStore(tmp_path)
    store._ensure_dir()
    store._file("42").write_text("{not json", encoding="utf-8")
    with pytest.raises(LogStoreError):
        store.append("42", incident(corpus))
    assert store._file("42").read_text(encoding="utf-8") == "{not json"


def test_retention_deletes_old_incidents_only(tmp_path, corpus):
    store = FileIncidentLogStore(tmp_path, retention_days=180)
    old = incident(corpus, created_at=(datetime.now(timezone.utc) - timedelta(days=200)).isoformat())
    store.append("42", old, image=b"old screenshot")
    store.append("42", incident(corpus, "昨天打了我十几个电话"))
    assert store.enforce_retention() == 1
    assert [i.text for i in store.list("42")] == ["昨天打了我十几个电话"]
    assert not any(p.is_file() and p.suffix == ".img" for p in tmp_path.rglob("*"))


def test_invalid_incident_is_refused(corpus):
    with pytest.raises(IncidentError):
        FileIncidentLogStore("/nonexistent").append("1", incident(corpus, channel="pigeon"))
    with pytest.raises(IncidentError):
        blank = incident(corpus)
        blank.text = "  "
        FileIncidentLogStore("/nonexistent").append("1", blank)


def _week(corpus):
    day = datetime(2026, 11, 28, 9, 0, tzinfo=TZ)
    items = [incident(corpus, "请尽快还款", when=day + timedelta(hours=h), number="95555") for h in range(6)]
    items.append(incident(corpus, "你这个老赖，再不还钱就找你家人", when=datetime(2026, 11, 29, 23, 30, tzinfo=TZ)))
    items.append(incident(corpus, "我们是法院的，明天就来抓你", when=datetime(2026, 11, 30, 7, 10, tzinfo=TZ),
                          channel="sms"))
    return items


def test_timeline_counts_and_flags_with_the_tools_thresholds(corpus):
    tl = timeline.build(_week(corpus), corpus)
    assert tl.per_day[datetime(2026, 11, 28).date()] == 6
    assert tl.per_number == {"95555": 6, "10690000": 2}
    assert tl.busy_days == [datetime(2026, 11, 28).date()]
    assert len(tl.night) == 2
    text = tl.render("zh-Hans")
    assert "⚠ 频繁" in text and "没有关于催收时段或次数的具体规定" in text and "本工具的提示阈值" in text
    assert "has no specific rule on the hours" in tl.render("en")
    assert tl.worst == ["insult", "third_party_contact", "impersonation", "false_criminal_claim"]   # checker order


def test_export_docx_has_one_row_per_incident_and_csv_matches(corpus):
    items = _week(corpus)
    tl = timeline.build(items, corpus)
    table = export.read_table(export.to_docx(tl, corpus))
    assert table[0][:3] == ["日期", "时间", "号码/账号"] and len(table) == len(items) + 1
    assert table[-1][0] == "2026-11-30" and table[-1][1] == "07:10" and "法院" in table[-1][5]
    assert "第" in table[-2][7]                              # articles named for the insult
    rows = list(csv.reader(io.StringIO(export.to_csv(tl, corpus).decode("utf-8-sig"))))
    assert len(rows) == len(items) + 1 and rows[1][2] == "95555"


def test_csv_cells_cannot_run_as_formulas(corpus):
    tl = timeline.build([incident(corpus, "=HYPERLINK(\"x\")", number="+8613800000000")], corpus)
    rows = list(csv.reader(io.StringIO(export.to_csv(tl, corpus).decode("utf-8-sig"))))
    assert rows[1][2].startswith("'+") and rows[1][5].startswith("'=")


def test_form_parses_labelled_lines_and_defaults():
    values = parse_form("时间：昨晚11点\n号码：10690000\n方式：短信（电话/短信/微信）\n联系了谁：我妈\n内容：骂我老赖")
    now = datetime(2026, 12, 5, 10, 0, tzinfo=TZ)
    made = incident_from_form(values, [], "Asia/Shanghai", now=now)
    assert (made.channel, made.contacted, made.number, made.text) == ("sms", "relative", "10690000", "骂我老赖")
    assert made.when == datetime(2026, 12, 4, 23, 0, tzinfo=TZ)
    assert incident_from_form(parse_form("只写了内容"), [], "Asia/Shanghai", now=now).when == now
    with pytest.raises(IncidentError):
        incident_from_form(parse_form("时间：昨晚11点"), [], "Asia/Shanghai", now=now)


def test_complaint_letter_names_count_range_and_worst_findings(corpus):
    from bot.engine.citations import verify

    text, citations = log_section(_week(corpus), corpus)
    assert "共记录催收联系 8 次" in text and "2026年11月28日" in text and "2026年11月30日" in text
    assert "最严重的问题" in text and "“" in text
    answers = {"creditor": "中信银行", "when": "11月28日", "number": "95555", "said": "一天打了六次电话",
               "others": "无", "evidence": "短信"}
    result = ComplaintWizard(corpus, incidents=_week(corpus)).run(answers, "zh-Hans")
    assert "共记录催收联系 8 次" in result.text
    for citation in result.citations + citations:
        verify(corpus, citation)                              # raises on an article or quote not in the corpus
    assert all(c.quote in result.text for c in citations)
    plain = ComplaintWizard(corpus).run(answers, "zh-Hans")
    assert "共记录催收联系" not in plain.text
