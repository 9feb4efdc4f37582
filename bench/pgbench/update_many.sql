-- One single-row UPDATE committed on its own (one round trip, one WAL flush), on 1000 rows.
\set id random(1, 1000)
UPDATE acct SET bal = bal - 1 WHERE id = :id;
