-- The key ring that protects the dashboard's session and antiforgery cookies, shared by every API process (a cookie
-- signed in by one process is read by any other). Keys are added, never changed; expired ones stay listed, as ASP.NET
-- Core's own repositories keep them, so that old cookies are refused rather than unreadable.
CREATE TABLE data_protection_keys (
    name       text PRIMARY KEY,
    xml        text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
