"""Where each user's harassment log is kept.

`IncidentLogStore` is the interface every front end uses; `FileIncidentLogStore` keeps one JSON
file per user under a state directory (written atomically: temp file, fsync, rename; mode 0600)
and the screenshots the user chose to keep in a private folder next to it. A shared store for
several bot processes implements the same interface.

Files are named by a hash of the user's key, so a directory listing reveals no account ids.
The log's contents are never logged.
"""
from __future__ import annotations

import abc
import hashlib
import json
import logging
import os
import shutil
import tempfile
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

from bot.evidence.incidents import MAX_INCIDENTS, Incident, IncidentError, validate

log = logging.getLogger(__name__)

DEFAULT_RETENTION_DAYS = 180
FORMAT_VERSION = 1
IMAGE_SUFFIXES = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}


class LogFullError(IncidentError):
    def __init__(self):
        super().__init__(f"记录已满（最多 {MAX_INCIDENTS} 条）。请先用 /export 导出，再删除旧记录。",
                         f"The log is full ({MAX_INCIDENTS} incidents at most). Export it with /export first, "
                         f"then delete old entries.")


class LogStoreError(RuntimeError):
    """The stored log cannot be read; it is left untouched rather than overwritten."""


class IncidentLogStore(abc.ABC):
    @abc.abstractmethod
    def append(self, user: str, incident: Incident, image: bytes | None = None) -> Incident:
        """Add an incident (and its screenshot when the user chose to keep it); LogFullError past the limit."""

    @abc.abstractmethod
    def list(self, user: str) -> list[Incident]:
        """The user's incidents, oldest first."""

    @abc.abstractmethod
    def delete(self, user: str, incident_id: str) -> bool:
        """Remove one incident and its screenshot."""

    @abc.abstractmethod
    def delete_user(self, user: str) -> int:
        """Remove everything kept for the user; return how many incidents there were."""

    @abc.abstractmethod
    def image(self, user: str, incident: Incident) -> bytes | None:
        """The kept screenshot of an incident, if any."""

    @abc.abstractmethod
    def enforce_retention(self, now: datetime | None = None) -> int:
        """Delete incidents recorded longer ago than the retention period; return how many."""


def user_key(user: str | int) -> str:
    return hashlib.sha256(f"zhiquan-log:{user}".encode()).hexdigest()[:32]


def _write_atomic(path: Path, data: bytes) -> None:
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def image_suffix(data: bytes) -> str:
    import io

    from PIL import Image, UnidentifiedImageError

    try:
        return IMAGE_SUFFIXES.get(Image.open(io.BytesIO(data)).format, ".img")
    except (UnidentifiedImageError, OSError):
        return ".img"


class FileIncidentLogStore(IncidentLogStore):
    def __init__(self, directory: Path | str, retention_days: int = DEFAULT_RETENTION_DAYS):
        self.directory = Path(directory)
        self.retention_days = retention_days
        self._lock = threading.RLock()

    # --- paths ---------------------------------------------------------------------------
    def _file(self, user: str) -> Path:
        return self.directory / f"{user_key(user)}.json"

    def _images(self, user: str) -> Path:
        return self.directory / user_key(user)

    def _ensure_dir(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        os.chmod(self.directory, 0o700)

    # --- reading and writing -----------------------------------------------------------------
    def _read(self, path: Path) -> list[Incident]:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise LogStoreError(f"log file {path.name} cannot be read: {type(exc).__name__}") from None
        try:
            return [Incident.from_json(item) for item in raw["incidents"]]
        except (KeyError, TypeError, IncidentError) as exc:
            raise LogStoreError(f"log file {path.name} is not a valid log: {type(exc).__name__}") from None

    def _save(self, user: str, incidents: list[Incident]) -> None:
        self._ensure_dir()
        path = self._file(user)
        if not incidents:
            path.unlink(missing_ok=True)
            return
        body = {"version": FORMAT_VERSION, "incidents": [i.to_json() for i in incidents]}
        _write_atomic(path, json.dumps(body, ensure_ascii=False, indent=1).encode("utf-8"))

    # --- interface ------------------------------------------------------------------------------
    def append(self, user: str, incident: Incident, image: bytes | None = None) -> Incident:
        validate(incident)
        with self._lock:
            incidents = self._read(self._file(user))
            if len(incidents) >= MAX_INCIDENTS:
                raise LogFullError()
            if image:
                folder = self._images(user)
                self._ensure_dir()
                folder.mkdir(exist_ok=True)
                os.chmod(folder, 0o700)
                incident.image = f"{incident.id}{image_suffix(image)}"
                _write_atomic(folder / incident.image, image)
            incidents.append(incident)
            incidents.sort(key=lambda i: i.when)
            self._save(user, incidents)
        log.info("log: incident added (%d in log)", len(incidents))
        return incident

    def list(self, user: str) -> list[Incident]:
        with self._lock:
            return self._read(self._file(user))

    def delete(self, user: str, incident_id: str) -> bool:
        with self._lock:
            incidents = self._read(self._file(user))
            keep = [i for i in incidents if i.id != incident_id]
            if len(keep) == len(incidents):
                return False
            for gone in incidents:
                if gone.id == incident_id and gone.image:
                    (self._images(user) / gone.image).unlink(missing_ok=True)
            self._save(user, keep)
            return True

    def delete_user(self, user: str) -> int:
        with self._lock:
            path = self._file(user)
            try:
                count = len(self._read(path))
            except LogStoreError:
                count = 0      # an unreadable log is deleted all the same: the user asked for it
            path.unlink(missing_ok=True)
            shutil.rmtree(self._images(user), ignore_errors=True)
        if count:
            log.info("log: deleted a user's log (%d incidents)", count)
        return count

    def image(self, user: str, incident: Incident) -> bytes | None:
        if not incident.image:
            return None
        try:
            return (self._images(user) / incident.image).read_bytes()
        except FileNotFoundError:
            return None

    def enforce_retention(self, now: datetime | None = None) -> int:
        now = now or datetime.now(timezone.utc)
        cutoff = now - timedelta(days=self.retention_days)
        removed = 0
        if not self.directory.is_dir():
            return 0
        with self._lock:
            for path in self.directory.glob("*.json"):
                try:
                    incidents = self._read(path)
                except LogStoreError as exc:
                    log.warning("retention: skipped a log: %s", exc)
                    continue
                keep = [i for i in incidents if datetime.fromisoformat(i.created_at) >= cutoff]
                if len(keep) == len(incidents):
                    continue
                folder = self.directory / path.stem
                for gone in incidents:
                    if gone not in keep and gone.image:
                        (folder / gone.image).unlink(missing_ok=True)
                removed += len(incidents) - len(keep)
                if keep:
                    body = {"version": FORMAT_VERSION, "incidents": [i.to_json() for i in keep]}
                    _write_atomic(path, json.dumps(body, ensure_ascii=False, indent=1).encode("utf-8"))
                else:
                    path.unlink(missing_ok=True)
                    shutil.rmtree(folder, ignore_errors=True)
        if removed:
            log.info("retention: deleted %d old incident(s)", removed)
        return removed


def store_from_settings(settings) -> IncidentLogStore:
    """The log store: in Redis when REDIS_URL is set (shared by replicas), else files under DATA_DIR
    (or LOG_DIR); LOG_RETENTION_DAYS either way."""
    if settings.redis_url is not None:
        from redis import Redis

        from bot.shared_state.log_store import RedisIncidentLogStore

        client = Redis.from_url(settings.redis_url.get_secret_value())
        return RedisIncidentLogStore(client, settings.redis_prefix, settings.log_retention_days)
    # Users' logs live beside their state, outside DATA_DIR: rebuilding or cleaning the index keeps them.
    directory = settings.log_dir or Path(settings.persistence_path).parent / "evidence"
    return FileIncidentLogStore(directory, settings.log_retention_days)
