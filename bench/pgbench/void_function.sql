-- One void of 1 cent as one prepared call (see void_function_setup.sql); :lo..:hi picks the wallet (0 = the hot wallet).
\set n random(:lo, :hi)
SELECT pgbench_void((SELECT wallet_id FROM pgbench_wallets WHERE n = :n), 1);
