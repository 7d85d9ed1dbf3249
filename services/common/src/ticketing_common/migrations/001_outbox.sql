-- Events a state change causes, written in the same transaction; the relay publishes them.
CREATE TABLE outbox (
    seq         bigserial PRIMARY KEY,
    event_id    uuid NOT NULL UNIQUE,
    event_type  text NOT NULL,
    subject     text NOT NULL,
    payload     bytea NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    sent_at     timestamptz
);
CREATE INDEX outbox_unsent ON outbox (seq) WHERE sent_at IS NULL;

-- Events a consumer has applied, recorded in the same transaction as their effect.
CREATE TABLE processed_events (
    consumer      text NOT NULL,
    event_id      uuid NOT NULL,
    processed_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
);
