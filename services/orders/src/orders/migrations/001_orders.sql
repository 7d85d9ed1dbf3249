-- The tickets orders can be placed for: a replica of the tickets service's tickets.
CREATE TABLE tickets (
    id        uuid PRIMARY KEY,
    title     text NOT NULL,
    price     numeric(11, 2) NOT NULL CHECK (price > 0),
    version   integer NOT NULL CHECK (version >= 0),
    -- The order the tickets service says holds the ticket (informational; orders decides).
    order_id  uuid
);

CREATE TABLE orders (
    id          uuid PRIMARY KEY,
    seq         bigserial NOT NULL UNIQUE,
    user_id     uuid NOT NULL,
    ticket_id   uuid NOT NULL REFERENCES tickets (id),
    status      text NOT NULL
        CHECK (status IN ('created', 'awaiting:payment', 'complete', 'cancelled')),
    expires_at  timestamptz NOT NULL,
    version     integer NOT NULL DEFAULT 0 CHECK (version >= 0)
);

-- At most one live order per ticket: this index is what makes a reservation atomic.
CREATE UNIQUE INDEX orders_one_live_order_per_ticket ON orders (ticket_id)
    WHERE status IN ('created', 'awaiting:payment', 'complete');

CREATE INDEX orders_by_user ON orders (user_id, seq);
