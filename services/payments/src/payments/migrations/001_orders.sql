-- The order replica: what payments knows of each order, at the version it last applied.
CREATE TABLE orders (
    id       uuid PRIMARY KEY,
    version  integer NOT NULL CHECK (version >= 0),
    user_id  uuid NOT NULL,
    price    numeric(11, 2) NOT NULL CHECK (price > 0),
    status   text NOT NULL CHECK (status IN ('created', 'awaiting:payment', 'cancelled', 'complete'))
);
