"""Per-user state behind a small interface, and its file implementation.

What is stored is JSON-serialisable data per user id (see `userdata` for the
keys) plus the tool conversation's step per (chat, user). The bot only ever calls
these methods.

With REDIS_URL set the same data (user_data and conversation steps per user) lives
in Redis instead (`bot.shared_state.userstate.RedisUserStateStore`). It is not
behind this interface: this one is loaded once at start-up and saved in batches by
PTB's persistence, which cannot let another replica see a change; the Redis store
is read and written per user around every update (`bot.telegram_app.shared`).

The file implementation keeps everything in memory and writes the whole file
atomically (temp file in the same directory, fsync, rename), mode 0600, so a
crash mid-write leaves the previous file intact and no other account can read it.
"""
from __future__ import annotations

import copy
import json
import os
import tempfile
from abc import ABC, abstractmethod
from pathlib import Path

FORMAT_VERSION = 1
FILE_MODE = 0o600

ConversationKey = tuple[int, ...]


class StateFileError(Exception):
    """The state file cannot be used; the message is one line naming the file and the fix."""


class StateSaveError(OSError):
    """Writing the state failed; the message names the file and the reason."""


class UserStateStore(ABC):
    """Per-user JSON-serialisable state and per-(chat, user) conversation steps."""

    @abstractmethod
    def users(self) -> dict[int, dict]:
        """A copy of every user's state (loaded into the bot at start-up)."""

    @abstractmethod
    def get_user(self, user_id: int) -> dict | None: ...

    @abstractmethod
    def put_user(self, user_id: int, state: dict) -> None:
        """Store `state` for the user; an empty state deletes the user (no empty entries)."""

    @abstractmethod
    def delete_user(self, user_id: int) -> None:
        """Remove the user's state and every conversation step keyed by the user."""

    @abstractmethod
    def conversations(self, name: str) -> dict[ConversationKey, object]: ...

    @abstractmethod
    def put_conversation(self, name: str, key: ConversationKey, state: object | None) -> None:
        """Store a conversation step; None (the conversation ended) deletes it."""

    @abstractmethod
    def save(self) -> bool:
        """Write pending changes; True if something was written. Raises StateSaveError."""

    @property
    @abstractmethod
    def dirty(self) -> bool:
        """Changes not yet saved."""


def _key_text(key: ConversationKey) -> str:
    return ":".join(str(part) for part in key)


def _key_tuple(text: str) -> ConversationKey:
    return tuple(int(part) for part in text.split(":"))


class FileUserStateStore(UserStateStore):
    """One JSON file: {"version": 1, "users": {id: state}, "conversations": {name: {"chat:user": step}}}."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._users: dict[int, dict] = {}
        self._conversations: dict[str, dict[ConversationKey, object]] = {}
        self._dirty = False

    # --- start-up checks --------------------------------------------------------------

    def check_writable(self) -> None:
        """Raise StateFileError unless a new state file can be written at `path`."""
        path = self.path
        if path.is_dir():
            raise StateFileError(f"state path {path} is a directory, not a file: "
                                 "set PERSISTENCE_PATH to a file path (or remove the directory)")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, probe = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".probe")
            os.close(fd)
            os.unlink(probe)
        except OSError as exc:
            raise StateFileError(f"state path {path} is not writable ({exc.strerror or exc}): "
                                 "make its directory writable for this user or set PERSISTENCE_PATH "
                                 "to a writable location") from None

    def load(self) -> None:
        """Read the file if it exists; raise StateFileError (file untouched) if it is unusable."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return
        except OSError as exc:
            raise StateFileError(f"state file {self.path} cannot be read ({exc.strerror or exc}): "
                                 "fix its permissions or set PERSISTENCE_PATH elsewhere") from None
        try:
            data = json.loads(raw.decode("utf-8"))
            users = {int(uid): dict(state) for uid, state in data["users"].items()}
            conversations = {str(name): {_key_tuple(k): v for k, v in steps.items()}
                             for name, steps in data.get("conversations", {}).items()}
        except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise StateFileError(
                f"state file {self.path} is corrupt or not a Zhiquan state file ({_why(raw, exc)}): "
                f"move it aside (mv {self.path} {self.path}.bad) and start again with empty state"
            ) from None
        self._users, self._conversations = users, conversations

    # --- interface ----------------------------------------------------------------------

    def users(self) -> dict[int, dict]:
        return copy.deepcopy(self._users)

    def get_user(self, user_id: int) -> dict | None:
        state = self._users.get(user_id)
        return copy.deepcopy(state) if state is not None else None

    def put_user(self, user_id: int, state: dict) -> None:
        if not state:
            self.delete_user(user_id)
            return
        json.dumps(state)   # refuse what could not be saved now, not at the next save
        if self._users.get(user_id) != state:
            self._users[user_id] = copy.deepcopy(state)
            self._dirty = True

    def delete_user(self, user_id: int) -> None:
        if self._users.pop(user_id, None) is not None:
            self._dirty = True
        for steps in self._conversations.values():
            for key in [k for k in steps if k and k[-1] == user_id]:
                del steps[key]
                self._dirty = True

    def conversations(self, name: str) -> dict[ConversationKey, object]:
        return dict(self._conversations.get(name, {}))

    def put_conversation(self, name: str, key: ConversationKey, state: object | None) -> None:
        steps = self._conversations.setdefault(name, {})
        if state is None:
            if steps.pop(tuple(key), None) is not None:
                self._dirty = True
            return
        if steps.get(tuple(key)) != state:
            steps[tuple(key)] = state
            self._dirty = True

    @property
    def dirty(self) -> bool:
        return self._dirty

    def save(self) -> bool:
        if not self._dirty:
            return False
        self.write_to(self.path)
        self._dirty = False
        return True

    # --- writing ------------------------------------------------------------------------

    def snapshot(self) -> str:
        return json.dumps({
            "version": FORMAT_VERSION,
            "users": {str(uid): state for uid, state in sorted(self._users.items())},
            "conversations": {name: {_key_text(k): v for k, v in steps.items()}
                              for name, steps in self._conversations.items() if steps},
        }, ensure_ascii=False, separators=(",", ":"))

    def write_to(self, path: Path) -> None:
        """Atomically replace `path` with the current state (mode 0600)."""
        text = self.snapshot()
        tmp = None
        try:
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                os.fchmod(fh.fileno(), FILE_MODE)
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
            tmp = None
            _fsync_dir(path.parent)
        except OSError as exc:
            raise StateSaveError(exc.errno, f"cannot write state file {path}: {exc.strerror or exc}") from exc
        finally:
            if tmp is not None:
                _unlink_quietly(tmp)


def _why(raw: bytes, exc: Exception) -> str:
    if not raw.strip():
        return "the file is empty"
    if raw[:1] == b"\x80":
        return "a pickle file from an older version"
    return type(exc).__name__


def _fsync_dir(folder: Path) -> None:
    # The rename is durable only once the directory entry is on disk.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _unlink_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


__all__ = ["UserStateStore", "FileUserStateStore", "StateFileError", "StateSaveError", "FILE_MODE"]
