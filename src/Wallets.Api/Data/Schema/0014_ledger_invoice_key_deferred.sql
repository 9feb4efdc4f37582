-- One writer of ledger rows, beside EF Core's writes of invoices in the same transaction: a purchase names its credit
-- invoice and the invoice's fee names the purchase, and an invoice's debits name an invoice saved later in the same
-- billing batch. The debit's (and the purchase's) invoice key is checked at commit, so the two writers need no order.
ALTER TABLE wallet_transactions ALTER CONSTRAINT wallet_transactions_invoice_id_fkey DEFERRABLE INITIALLY DEFERRED;
