-- The same UPDATE, always on the same row: every transaction waits for the previous one's row lock and commit.
UPDATE acct SET bal = bal - 1 WHERE id = 1;
