-- What a consumer applied, in commit order, and in which transaction.
CREATE TABLE applied (
    seq      bigserial PRIMARY KEY,
    record   uuid NOT NULL,
    version  integer NOT NULL,
    txid     bigint NOT NULL DEFAULT txid_current()
);
