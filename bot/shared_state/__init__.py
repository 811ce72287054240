"""Running as a service: state shared by several bot replicas (Redis), and following index rebuilds.

Nothing here imports `telegram`; the Telegram glue is in `bot.telegram_app.shared`.
- `codec`: per-user state <-> JSON (int dict keys survive the round trip).
- `userstate`: the per-user state store interface and its Redis implementation (TTL = retention,
  per-user lock in Redis).
- `ledger`: update de-duplication by `update_id` with a lease, so a redelivery is answered once and
  an update whose replica died is taken over.
- `leader`: one replica registers the webhook and the commands at start.
- `index_watch`: every replica reloads when DATA_DIR/CURRENT names a new index version.
"""
