-- Tickets for sale; order_id is the order holding one (reserved tickets are not listed).
CREATE TABLE tickets (
    id          uuid PRIMARY KEY,
    seq         bigserial NOT NULL UNIQUE,  -- listing order: higher is newer
    title       text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
    price       numeric(10, 2) NOT NULL CHECK (price > 0 AND price <= 1000000),
    user_id     uuid NOT NULL,
    order_id    uuid,
    version     integer NOT NULL DEFAULT 0 CHECK (version >= 0),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX tickets_for_sale ON tickets (seq DESC) WHERE order_id IS NULL;

-- Orders known to be cancelled: their order.created, arriving late, reserves nothing.
CREATE TABLE ended_orders (
    order_id  uuid PRIMARY KEY,
    ended_at  timestamptz NOT NULL DEFAULT now()
);
