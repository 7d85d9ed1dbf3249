-- When the payment of an order was refunded (its cancellation won a race with the payment):
-- what the buyer sees; not part of the order's replicated state, so its version stays.
ALTER TABLE orders ADD COLUMN refunded_at timestamptz;
