-- One round trip, no write: the ceiling of requests/s that touch the database at all.
SELECT 1;
