-- Orders known to be paid: the ticket such an order holds is sold, not just reserved.
CREATE TABLE completed_orders (
    order_id      uuid PRIMARY KEY,
    completed_at  timestamptz NOT NULL DEFAULT now()
);

-- A seller's own tickets, newest first, whatever holds them.
CREATE INDEX tickets_of_seller ON tickets (user_id, seq DESC);
