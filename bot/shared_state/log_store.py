"""The harassment log in Redis, for several bot replicas (`IncidentLogStore`, like the file store).

Per user (keys named by `user_key`, a hash, so a key listing reveals no account ids):
- `{prefix}:log:{key}`: the incidents as JSON, as in the file store;
- `{prefix}:log:{key}:img:{name}`: a screenshot the user chose to keep.
Every write sets the keys' TTL to LOG_RETENTION_DAYS, so a log nobody touches expires in Redis
itself; `enforce_retention` also drops single incidents older than that from logs still in use.
Writes are optimistic transactions (WATCH/MULTI), so two replicas appending at once lose nothing.
Called from worker threads (the front ends run stores off the event loop), hence the sync client.
"""
from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta, timezone

from redis import Redis
from redis.exceptions import WatchError

from bot.evidence.incidents import MAX_INCIDENTS, Incident, IncidentError, validate
from bot.evidence.log_store import FORMAT_VERSION, IncidentLogStore, LogFullError, LogStoreError, image_suffix, user_key

log = logging.getLogger(__name__)

WRITE_ATTEMPTS = 20   # optimistic retries when another replica changed the same log meanwhile


class RedisIncidentLogStore(IncidentLogStore):
    def __init__(self, client: Redis, prefix: str, retention_days: int):
        self.client = client
        self.prefix = prefix
        self.retention_days = retention_days
        self.ttl = max(1, int(retention_days * 86400))

    # --- keys ------------------------------------------------------------------------------
    def _key(self, user: str) -> str:
        return f"{self.prefix}:log:{user_key(user)}"

    def _image_key(self, user: str, name: str) -> str:
        return f"{self._key(user)}:img:{name}"

    # --- reading and writing ----------------------------------------------------------------
    @staticmethod
    def _decode(raw: bytes | None) -> list[Incident]:
        if raw is None:
            return []
        try:
            return [Incident.from_json(item) for item in json.loads(raw)["incidents"]]
        except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, IncidentError) as exc:
            raise LogStoreError(f"a stored log is not a valid log: {type(exc).__name__}") from None

    @staticmethod
    def _encode(incidents: list[Incident]) -> bytes:
        body = {"version": FORMAT_VERSION, "incidents": [i.to_json() for i in incidents]}
        return json.dumps(body, ensure_ascii=False).encode("utf-8")

    def _update(self, key: str, change) -> object:
        """Read the log at `key`, apply `change(incidents, pipe)` -> (new incidents, result), write back."""
        for _ in range(WRITE_ATTEMPTS):
            with self.client.pipeline() as pipe:
                try:
                    pipe.watch(key)
                    incidents = self._decode(pipe.get(key))
                    pipe.multi()
                    kept, result = change(incidents, pipe)
                    if kept:
                        pipe.set(key, self._encode(kept), ex=self.ttl)
                    else:
                        pipe.delete(key)
                    pipe.execute()
                    return result
                except WatchError:
                    continue
        raise LogStoreError("the log kept changing under us; try again")

    # --- interface --------------------------------------------------------------------------
    def append(self, user: str, incident: Incident, image: bytes | None = None) -> Incident:
        validate(incident)
        key = self._key(user)

        def change(incidents, pipe):
            if len(incidents) >= MAX_INCIDENTS:
                raise LogFullError()
            if image:
                incident.image = f"{incident.id}{image_suffix(image)}"
                pipe.set(self._image_key(user, incident.image), image, ex=self.ttl)
            for kept in incidents:      # the whole log lives as long as its newest entry
                if kept.image:
                    pipe.expire(self._image_key(user, kept.image), self.ttl)
            return sorted([*incidents, incident], key=lambda i: i.when), len(incidents) + 1

        count = self._update(key, change)
        log.info("log: incident added (%d in log)", count)
        return incident

    def list(self, user: str) -> list[Incident]:
        return self._decode(self.client.get(self._key(user)))

    def delete(self, user: str, incident_id: str) -> bool:
        def change(incidents, pipe):
            keep = [i for i in incidents if i.id != incident_id]
            for gone in incidents:
                if gone.id == incident_id and gone.image:
                    pipe.delete(self._image_key(user, gone.image))
            return keep, len(keep) != len(incidents)

        return self._update(self._key(user), change)

    def delete_user(self, user: str) -> int:
        key = self._key(user)
        try:
            count = len(self.list(user))
        except LogStoreError:
            count = 0      # an unreadable log is deleted all the same: the user asked for it
        images = list(self.client.scan_iter(match=f"{key}:img:*"))
        self.client.delete(key, *images)
        if count:
            log.info("log: deleted a user's log (%d incidents)", count)
        return count

    def image(self, user: str, incident: Incident) -> bytes | None:
        if not incident.image:
            return None
        return self.client.get(self._image_key(user, incident.image))

    def enforce_retention(self, now: datetime | None = None) -> int:
        now = now or datetime.now(timezone.utc)
        cutoff = now - timedelta(days=self.retention_days)
        removed = 0
        for key in self.client.scan_iter(match=f"{self.prefix}:log:*"):
            name = key.decode()
            if ":img:" in name:
                continue

            def change(incidents, pipe, name=name):
                keep = [i for i in incidents if datetime.fromisoformat(i.created_at) >= cutoff]
                for gone in incidents:
                    if gone not in keep and gone.image:
                        pipe.delete(f"{name}:img:{gone.image}")
                return keep, len(incidents) - len(keep)

            try:
                removed += self._update(name, change)
            except LogStoreError as exc:
                log.warning("retention: skipped a log: %s", exc)
        if removed:
            log.info("retention: deleted %d old incident(s)", removed)
        return removed
