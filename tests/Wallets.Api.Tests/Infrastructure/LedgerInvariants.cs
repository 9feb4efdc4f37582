namespace Wallets.Api.Tests.Infrastructure;

/// <summary>The ledger's conservation laws, checked in SQL over the whole database after a test.</summary>
public static class LedgerInvariants
{
    private static readonly (string Rule, string Sql)[] Rules =
    [
        ("every wallet's balance equals what its settled grants still hold", """
            SELECT count(*) FROM wallets w
            WHERE w.balance_cents <> (SELECT COALESCE(sum(t.remaining_amount_cents), 0) FROM wallet_transactions t
                                      WHERE t.wallet_id = w.id AND t.transaction_type = 'inbound' AND t.status = 'settled')
            """),
        ("every debit equals the sum of its fundings", """
            SELECT count(*) FROM wallet_transactions t
            WHERE t.transaction_type = 'outbound'
              AND t.amount_cents <> (SELECT COALESCE(sum(c.consumed_amount_cents), 0) FROM wallet_transaction_consumptions c
                                     WHERE c.outbound_wallet_transaction_id = t.id)
            """),
        ("every settled grant equals what remains plus what was consumed from it", """
            SELECT count(*) FROM wallet_transactions t
            WHERE t.transaction_type = 'inbound' AND t.status = 'settled'
              AND t.amount_cents <> t.remaining_amount_cents + (SELECT COALESCE(sum(c.consumed_amount_cents), 0)
                                     FROM wallet_transaction_consumptions c WHERE c.inbound_wallet_transaction_id = t.id)
            """),
        ("nothing pending or failed was consumed", """
            SELECT count(*) FROM wallet_transaction_consumptions c JOIN wallet_transactions t ON t.id = c.inbound_wallet_transaction_id
            WHERE t.status <> 'settled'
            """),
        ("every wallet's latest balance history row is its balance and consumed amount now", """
            SELECT count(*) FROM wallets w
            LEFT JOIN LATERAL (SELECT * FROM wallet_balance_changes h WHERE h.wallet_id = w.id ORDER BY h.at DESC, h.seq DESC LIMIT 1) h ON true
            WHERE (h.seq IS NULL AND (w.balance_seq <> 0 OR w.balance_cents <> 0 OR w.consumed_amount_cents <> 0))
               OR (h.seq IS NOT NULL AND (h.seq <> w.balance_seq OR h.balance_cents <> w.balance_cents OR h.consumed_amount_cents <> w.consumed_amount_cents))
            """),
        ("terminated wallets hold nothing", "SELECT count(*) FROM wallets WHERE status = 'terminated' AND (balance_cents <> 0 OR held_cents <> 0)"),
        ("no grant funded a debit made at or after its expiry, but its own expiry void", """
            SELECT count(*) FROM wallet_transaction_consumptions c
            JOIN wallet_transactions i ON i.id = c.inbound_wallet_transaction_id
            JOIN wallet_transactions o ON o.id = c.outbound_wallet_transaction_id
            WHERE o.created_at >= i.expiration_at AND NOT (o.transaction_status = 'voided' AND o.settled_at = i.expiration_at)
            """),
        ("every wallet holds what its active holds reserved, and its grants hold the same", """
            SELECT count(*) FROM wallets w
            WHERE w.held_cents <> (SELECT COALESCE(sum(h.amount_cents), 0) FROM holds h WHERE h.wallet_id = w.id AND h.status = 'active')
               OR w.held_cents <> (SELECT COALESCE(sum(t.held_cents), 0) FROM wallet_transactions t WHERE t.wallet_id = w.id)
            """),
        ("every grant holds what active holds reserved of it, within what it still holds", """
            SELECT count(*) FROM wallet_transactions t
            WHERE t.held_cents > COALESCE(t.remaining_amount_cents, 0)
               OR t.held_cents <> (SELECT COALESCE(sum(r.cents), 0) FROM hold_reservations r JOIN holds h ON h.id = r.hold_id
                                   WHERE r.inbound_wallet_transaction_id = t.id AND h.status = 'active')
            """),
        ("every captured hold's debit is what it captured", """
            SELECT count(*) FROM holds h LEFT JOIN wallet_transactions t ON t.id = h.wallet_transaction_id
            WHERE h.status = 'captured' AND COALESCE(t.amount_cents, 0) <> h.captured_amount_cents
            """),
    ];

    public static async Task AssertAsync(ApiFactory api)
    {
        foreach (var (rule, sql) in Rules)
            Assert.True(await api.ScalarAsync<long>(sql) == 0, $"ledger invariant broken: {rule}");
    }
}
