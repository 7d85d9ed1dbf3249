-- POSTs sent with an Idempotency-Key: the request's fingerprint and the answer it got, stored
-- in the same transaction as the request's effect, so a retry gets that answer again.
CREATE TABLE idempotency_keys (
    user_id      uuid NOT NULL,
    key          text NOT NULL,
    fingerprint  text NOT NULL,
    -- What the request created; its answer is null until the effect is recorded.
    resource_id  uuid,
    status_code  integer,
    answer       jsonb,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, key),
    CHECK ((status_code IS NULL) = (answer IS NULL))
);
CREATE INDEX idempotency_keys_by_resource ON idempotency_keys (resource_id);
