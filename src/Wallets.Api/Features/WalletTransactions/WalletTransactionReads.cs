using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Wallets.Api.Data;
using Wallets.Api.Http;

namespace Wallets.Api.Features.WalletTransactions;

/// <summary>Lago's filters of a wallet's transactions; values other than Lago's are ignored, as in Lago.</summary>
public sealed record TransactionFilter(string? Status, string? TransactionType, string? TransactionStatus, IReadOnlyList<KeyValue> Metadata)
{
    public static readonly TransactionFilter None = new(null, null, null, []);

    public static TransactionFilter From(IQueryCollection q) => new(
        q["status"].ToString(), q["transaction_type"].ToString(), q["transaction_status"].ToString(),
        q.Where(p => p.Key.StartsWith("metadata[", StringComparison.Ordinal) && p.Key.EndsWith(']'))
            .Select(p => new KeyValue(p.Key[9..^1], p.Value.ToString())).ToList());
}

/// <summary>
/// Reading the ledger as the API and the dashboard show it: one transaction, a wallet's transactions (paged, newest
/// first, filtered), and the links between grants and debits. Every read is keyed and paged; none scans a history.
/// </summary>
public sealed class WalletTransactionReads(WalletsDbContext db)
{
    public Task<WalletTransaction?> FindAsync(Guid id, CancellationToken ct) =>
        db.WalletTransactions.AsNoTracking().Include(t => t.Wallet).FirstOrDefaultAsync(t => t.Id == id, ct);

    public async Task<Page<WalletTransaction>> PageAsync(Guid walletId, TransactionFilter filter, PageRequest page, CancellationToken ct)
    {
        // metadata[key]=value filters: one jsonb containment test on the [{key, value}] array.
        var pairs = filter.Metadata.Select(p => new { key = p.Key, value = p.Value }).ToList();
        var query = (pairs.Count == 0
                ? db.WalletTransactions
                : db.WalletTransactions.FromSql($"SELECT * FROM wallet_transactions WHERE metadata @> {JsonSerializer.Serialize(pairs)}::jsonb"))
            .AsNoTracking().Where(t => t.WalletId == walletId);
        if (filter.Status is "pending" or "settled" or "failed") query = query.Where(t => t.Status == filter.Status);
        if (filter.TransactionType is Direction.Inbound or Direction.Outbound) query = query.Where(t => t.TransactionType == filter.TransactionType);
        if (filter.TransactionStatus is TxKind.Purchased or TxKind.Granted or TxKind.Voided or TxKind.Invoiced)
            query = query.Where(t => t.TransactionStatus == filter.TransactionStatus);
        return await page.ToPageAsync(query.OrderByDescending(t => t.CreatedAt).ThenBy(t => t.Id), ct);
    }

    /// <summary>
    /// The dashboard's view of a long history: the next <paramref name="size"/> transactions after <paramref name="after"/>,
    /// newest first, with the same filters (metadata aside). One index range read, whatever the history's length.
    /// </summary>
    public async Task<Slice<WalletTransaction>> SliceAsync(Guid walletId, TransactionFilter filter, Keyset? after, int size, CancellationToken ct)
    {
        // Rows strictly after the position in (created_at DESC, id) order; the listing index serves it.
        var query = (after is { } at
                ? db.WalletTransactions.FromSql($"SELECT * FROM wallet_transactions WHERE wallet_id = {walletId} AND (created_at < {at.CreatedAt} OR (created_at = {at.CreatedAt} AND id > {at.Id}))")
                : db.WalletTransactions)
            .AsNoTracking().Where(t => t.WalletId == walletId);
        if (filter.Status is "pending" or "settled" or "failed") query = query.Where(t => t.Status == filter.Status);
        if (filter.TransactionType is Direction.Inbound or Direction.Outbound) query = query.Where(t => t.TransactionType == filter.TransactionType);
        if (filter.TransactionStatus is TxKind.Purchased or TxKind.Granted or TxKind.Voided or TxKind.Invoiced)
            query = query.Where(t => t.TransactionStatus == filter.TransactionStatus);
        var rows = await query.OrderByDescending(t => t.CreatedAt).ThenBy(t => t.Id).Take(size + 1).ToListAsync(ct);
        return Cut(rows, size, t => new Keyset(t.CreatedAt, t.Id));
    }

    /// <summary>The links of a grant (its consumptions) or of a debit (its fundings), as <see cref="SliceAsync"/> slices a history.</summary>
    public async Task<Slice<LedgerLinkView>> LinksSliceAsync(WalletTransaction transaction, Keyset? after, int size, CancellationToken ct)
    {
        var id = transaction.Id;
        // Rows strictly after the position in (created_at DESC, id) order; the links' indexes serve the range.
        var links = (transaction.IsInbound, after) switch
        {
            (true, { } at) => db.Consumptions.FromSql(
                $"SELECT * FROM wallet_transaction_consumptions WHERE inbound_wallet_transaction_id = {id} AND (created_at < {at.CreatedAt} OR (created_at = {at.CreatedAt} AND id > {at.Id}))"),
            (false, { } at) => db.Consumptions.FromSql(
                $"SELECT * FROM wallet_transaction_consumptions WHERE outbound_wallet_transaction_id = {id} AND (created_at < {at.CreatedAt} OR (created_at = {at.CreatedAt} AND id > {at.Id}))"),
            (true, null) => db.Consumptions.Where(c => c.InboundWalletTransactionId == id),
            (false, null) => db.Consumptions.Where(c => c.OutboundWalletTransactionId == id),
        };
        links = transaction.IsInbound ? links.Include(c => c.Outbound) : links.Include(c => c.Inbound);
        var rows = await links.AsNoTracking().OrderByDescending(c => c.CreatedAt).ThenBy(c => c.Id).Take(size + 1).ToListAsync(ct);
        var wallet = transaction.Wallet;
        return Cut(rows, size, c => new Keyset(c.CreatedAt, c.Id)).Map(c => new LedgerLinkView(c.Id, c.ConsumedAmountCents,
            wallet.Rate.FromCents(c.ConsumedAmountCents).Credits, c.CreatedAt, WalletTransactionView.From(transaction.IsInbound ? c.Outbound : c.Inbound, wallet)));
    }

    private static Slice<T> Cut<T>(List<T> rows, int size, Func<T, Keyset> key) =>
        rows.Count > size ? new Slice<T>(rows[..size], key(rows[size - 1])) : new Slice<T>(rows, null);

    /// <summary>Seen from a grant: the debits that consumed it, each with the amount it took.</summary>
    public Task<Page<LedgerLinkView>> ConsumptionsAsync(WalletTransaction grant, PageRequest page, CancellationToken ct) =>
        LinksAsync(db.Consumptions.AsNoTracking().Include(c => c.Outbound).Where(c => c.InboundWalletTransactionId == grant.Id), c => c.Outbound, grant.Wallet, page, ct);

    /// <summary>Seen from a debit: the grants that paid for it, each with the amount it gave.</summary>
    public Task<Page<LedgerLinkView>> FundingsAsync(WalletTransaction debit, PageRequest page, CancellationToken ct) =>
        LinksAsync(db.Consumptions.AsNoTracking().Include(c => c.Inbound).Where(c => c.OutboundWalletTransactionId == debit.Id), c => c.Inbound, debit.Wallet, page, ct);

    private static async Task<Page<LedgerLinkView>> LinksAsync(IQueryable<WalletTransactionConsumption> links,
        Func<WalletTransactionConsumption, WalletTransaction> other, Wallet wallet, PageRequest page, CancellationToken ct)
    {
        var rows = await page.ToPageAsync(links.OrderByDescending(c => c.CreatedAt).ThenBy(c => c.Id), ct);
        return rows.Map(c => new LedgerLinkView(c.Id, c.ConsumedAmountCents, wallet.Rate.FromCents(c.ConsumedAmountCents).Credits, c.CreatedAt,
            WalletTransactionView.From(other(c), wallet)));
    }
}
