-- A refund is claimed ('refunding', with a lease) and committed before Stripe is called, so
-- no row lock is held during the call; whoever finds the claim's lease run out replays it.
ALTER TABLE payments DROP CONSTRAINT payments_state_check;
ALTER TABLE payments ADD CONSTRAINT payments_state_check
    CHECK (state IN ('pending', 'charged', 'refunding', 'refunded'));

-- No order ever waits in 'awaiting:payment': an order is created, then complete or cancelled.
ALTER TABLE orders DROP CONSTRAINT orders_status_check;
ALTER TABLE orders ADD CONSTRAINT orders_status_check
    CHECK (status IN ('created', 'cancelled', 'complete'));
