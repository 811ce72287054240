"""The state file: atomic 0600 writes, clear errors for unusable files, saves that fail and recover."""
from __future__ import annotations

import json
import logging
import pickle
import stat

import pytest

from bot.telegram_app.persistence import StateSaver
from bot.telegram_app.state_store import FileUserStateStore, StateFileError, StateSaveError


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_save_is_json_with_mode_0600_and_reloads(tmp_path):
    path = tmp_path / "state.json"
    store = FileUserStateStore(path)
    store.put_user(1, {"lang": "en"})
    store.put_conversation("tools", (1, 1), 2)
    assert store.save()
    assert _mode(path) == 0o600
    assert json.loads(path.read_text())["users"] == {"1": {"lang": "en"}}
    again = FileUserStateStore(path)
    again.load()
    assert again.users() == {1: {"lang": "en"}} and again.conversations("tools") == {(1, 1): 2}
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]   # no temp files left behind


def test_empty_state_and_ended_conversations_are_not_stored(tmp_path):
    store = FileUserStateStore(tmp_path / "state.json")
    store.put_user(1, {"lang": "en"})
    store.put_conversation("tools", (1, 1), 1)
    store.put_user(1, {})
    store.put_conversation("tools", (1, 1), None)
    store.save()
    assert json.loads((tmp_path / "state.json").read_text()) == {"version": 1, "users": {}, "conversations": {}}


def test_delete_user_removes_their_conversations_in_every_chat(tmp_path):
    store = FileUserStateStore(tmp_path / "state.json")
    store.put_user(5, {"lang": "en"})
    store.put_conversation("tools", (5, 5), 1)
    store.put_conversation("tools", (-100, 5), 1)
    store.put_conversation("tools", (-100, 6), 1)
    store.delete_user(5)
    assert store.conversations("tools") == {(-100, 6): 1}


@pytest.mark.parametrize("content", [b"", b"{\"users\": {1: ", pickle.dumps({"user_data": {}}), b"\xff\xfe",
                                     b"[]"])
def test_corrupt_file_is_one_clear_line_and_left_untouched(tmp_path, content):
    path = tmp_path / "state.json"
    path.write_bytes(content)
    with pytest.raises(StateFileError) as info:
        FileUserStateStore(path).load()
    message = str(info.value)
    assert "\n" not in message and str(path) in message and "move it aside" in message
    assert path.read_bytes() == content


def test_directory_in_place_of_the_file_is_refused(tmp_path):
    path = tmp_path / "state.json"
    path.mkdir()
    with pytest.raises(StateFileError, match="is a directory"):
        FileUserStateStore(path).check_writable()


def test_missing_parent_directory_is_created(tmp_path):
    store = FileUserStateStore(tmp_path / "new" / "state.json")
    store.check_writable()
    assert (tmp_path / "new").is_dir()


def test_a_failed_save_raises_and_keeps_the_changes(tmp_path):
    path = tmp_path / "state.json"
    store = FileUserStateStore(path)
    store.put_user(1, {"lang": "en"})
    path.mkdir()                                   # the rename onto it must fail
    with pytest.raises(StateSaveError, match=str(path)):
        store.save()
    assert store.dirty
    path.rmdir()
    assert store.save() and json.loads(path.read_text())["users"] == {"1": {"lang": "en"}}


async def test_saver_reports_a_failure_once_retries_and_recovers(tmp_path, caplog):
    path = tmp_path / "state.json"
    store = FileUserStateStore(path)
    alerts: list[str] = []

    async def alert(reason: str) -> None:
        alerts.append(reason)

    saver = StateSaver(store, alert)
    store.put_user(1, {"lang": "en"})
    path.mkdir()
    with caplog.at_level(logging.ERROR):
        assert not await saver.tick()
        store.put_user(2, {"lang": "en"})
        assert not await saver.tick()
    assert len(alerts) == 1 and str(path) in alerts[0]
    assert len([r for r in caplog.records if "will retry" in r.getMessage()]) == 1
    path.rmdir()
    assert await saver.tick()
    assert set(json.loads(path.read_text())["users"]) == {"1", "2"}


async def test_final_save_that_keeps_failing_goes_to_a_rescue_copy(tmp_path, monkeypatch):
    monkeypatch.setattr("bot.telegram_app.persistence.FINAL_RETRY_DELAY", 0)
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path / "rescue"))
    (tmp_path / "rescue").mkdir()
    path = tmp_path / "state.json"
    store = FileUserStateStore(path)

    async def alert(reason: str) -> None:
        pass

    saver = StateSaver(store, alert)
    store.put_user(1, {"lang": "en"})
    path.mkdir()
    await saver.final_save()
    assert saver.rescued_to is not None and saver.rescued_to.parent == tmp_path / "rescue"
    assert _mode(saver.rescued_to) == 0o600
    assert json.loads(saver.rescued_to.read_text())["users"] == {"1": {"lang": "en"}}
