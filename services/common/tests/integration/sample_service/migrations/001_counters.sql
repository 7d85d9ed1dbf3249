CREATE TABLE counters (
    id       uuid PRIMARY KEY,
    value    integer NOT NULL DEFAULT 0,
    version  integer NOT NULL DEFAULT 0
);
