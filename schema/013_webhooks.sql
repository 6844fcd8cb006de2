-- SPDX-License-Identifier: ISC
-- 013: webhooks (DESIGN 1.8): signed deliveries of the change feed.
--
-- A webhook receives the tenant's events of the types it lists, in feed
-- order (events.seq) per resource, at least once.  `userpatch-admin
-- webhooks deliver` does the work in three short transactions, never one
-- held across an HTTP call:
--   1. fan-out: order the tenant's committed events (as GET /api/events
--      does), lock the webhook's row, insert one webhook_deliveries row per
--      matching event with seq > cursor_seq, move cursor_seq; commit.
--   2. claim: pick due pending deliveries whose webhook and resource have
--      no earlier pending delivery, FOR UPDATE SKIP LOCKED, set
--      claimed_until (a lease) and claimed_by; commit.  Several deliverers
--      share the work; a crashed one's lease runs out and its deliveries
--      are sent again, with the same webhook-id.
--   3. after the POST: record the attempt, and mark the delivery delivered,
--      or pending again with the next attempt time, or failed after 24
--      hours of retries (the webhook then shows status "failing").
CREATE TABLE IF NOT EXISTS webhooks (
  id               BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  tenant_id        BIGINT UNSIGNED NOT NULL,
  url              VARCHAR(2048) NOT NULL,
  event_types      VARCHAR(1024) NOT NULL,        -- as GET /api/events?types=: "user.*,alert.created"
  description      VARCHAR(255) NULL,
  secret           VARCHAR(96) NOT NULL,          -- whsec_<base64>: the key that signs (not a hash: it must sign)
  previous_secret  VARCHAR(96) NULL,              -- after a rotation, also signs until previous_until
  previous_until   DATETIME(6) NULL,
  enabled          TINYINT(1) NOT NULL DEFAULT 1, -- 0: nothing is fanned out or sent
  status           VARCHAR(16) NOT NULL DEFAULT 'active', -- active | failing
  failing_since    DATETIME(6) NULL,
  cursor_seq       BIGINT UNSIGNED NOT NULL DEFAULT 0, -- last events.seq fanned out
  version          BIGINT UNSIGNED NOT NULL DEFAULT 1,
  created_at       DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at       DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (id),
  KEY ix_webhooks_tenant (tenant_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One row per (webhook, event).  Its id is the webhook-id sent
-- ("msg_<id>"): the same on every retry.
CREATE TABLE IF NOT EXISTS webhook_deliveries (
  id               BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  webhook_id       BIGINT UNSIGNED NOT NULL,
  tenant_id        BIGINT UNSIGNED NOT NULL,
  event_id         BIGINT UNSIGNED NOT NULL,      -- events.id (events prune keeps it while pending)
  event_seq        BIGINT UNSIGNED NOT NULL,
  resource_id      VARCHAR(300) NOT NULL,         -- order is kept per (webhook, resource)
  state            VARCHAR(12) NOT NULL DEFAULT 'pending', -- pending | delivered | failed
  attempts         INT UNSIGNED NOT NULL DEFAULT 0,
  first_attempt_at DATETIME(6) NULL,              -- the retry window (a day) counts from it
  next_attempt_at  DATETIME(6) NOT NULL,
  claimed_until    DATETIME(6) NULL,
  claimed_by       VARCHAR(64) NULL,
  last_status      INT NULL,                      -- HTTP status of the last attempt, NULL: no answer
  last_error       VARCHAR(255) NULL,
  created_at       DATETIME(6) NOT NULL,
  delivered_at     DATETIME(6) NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_deliveries_event (webhook_id, event_id),
  KEY ix_deliveries_due (state, next_attempt_at),
  KEY ix_deliveries_resource (webhook_id, resource_id, state, event_seq),
  KEY ix_deliveries_event (event_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Every attempt, for GET /api/webhooks/{id}/deliveries.
CREATE TABLE IF NOT EXISTS webhook_attempts (
  id               BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  delivery_id      BIGINT UNSIGNED NOT NULL,
  webhook_id       BIGINT UNSIGNED NOT NULL,
  tenant_id        BIGINT UNSIGNED NOT NULL,
  attempt          INT UNSIGNED NOT NULL,         -- 1 for the first
  attempted_at     DATETIME(6) NOT NULL,
  duration_ms      INT UNSIGNED NOT NULL,
  status           INT NULL,                      -- HTTP status, NULL: no answer
  error            VARCHAR(255) NULL,             -- "timeout", "connect", "refused address"...
  PRIMARY KEY (id),
  KEY ix_attempts_webhook (webhook_id, id),
  KEY ix_attempts_time (attempted_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS schema_migrations (
  version     INT UNSIGNED NOT NULL PRIMARY KEY,
  name        VARCHAR(255) NOT NULL,
  applied_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
INSERT IGNORE INTO schema_migrations (version, name) VALUES (13, '013_webhooks.sql');
