-- No order ever waits in 'awaiting:payment': an order is created, then complete or cancelled.
ALTER TABLE orders DROP CONSTRAINT orders_status_check;
ALTER TABLE orders ADD CONSTRAINT orders_status_check
    CHECK (status IN ('created', 'complete', 'cancelled'));

DROP INDEX orders_one_live_order_per_ticket;
CREATE UNIQUE INDEX orders_one_live_order_per_ticket ON orders (ticket_id)
    WHERE status IN ('created', 'complete');
