-- One payment per order. A pending row is the claim taken before Stripe is called; it keeps
-- the exact charge request so an interrupted charge can be replayed with the same key.
CREATE TABLE payments (
    id                uuid PRIMARY KEY,
    order_id          uuid NOT NULL UNIQUE REFERENCES orders (id),
    state             text NOT NULL CHECK (state IN ('pending', 'charged', 'refunded')),
    amount_cents      bigint NOT NULL CHECK (amount_cents > 0),
    token             text NOT NULL,
    idempotency_key   text NOT NULL UNIQUE,
    -- Until when the claimant is charging; after it, anyone may replay the charge.
    lease_until       timestamptz NOT NULL,
    stripe_id         text,
    stripe_refund_id  text,
    created_at        timestamptz NOT NULL DEFAULT now(),
    CHECK ((state = 'pending') = (stripe_id IS NULL)),
    CHECK ((state = 'refunded') = (stripe_refund_id IS NOT NULL))
);
