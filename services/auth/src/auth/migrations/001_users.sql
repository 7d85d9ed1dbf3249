-- Users who can sign in; the application stores emails trimmed and lower-cased.
CREATE TABLE users (
    id             uuid PRIMARY KEY,
    email          text NOT NULL,
    password_hash  text NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now()
);

-- One account per email, even when sign-ups race.
CREATE UNIQUE INDEX users_email_key ON users (email);
