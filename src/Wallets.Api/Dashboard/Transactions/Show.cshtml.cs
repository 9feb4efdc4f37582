using Microsoft.AspNetCore.Mvc;
using Wallets.Api.Features.WalletTransactions;
using Wallets.Api.Http;

namespace Wallets.Api.Dashboard.Transactions;

/// <summary>
/// Seed 000: a wallet transaction with its Consumptions tab (inbound: the debits that used it) or its Fundings tab
/// (outbound: the grants that paid for it), read as `GET /wallet_transactions/{id}/consumptions` and `/fundings` read them.
/// </summary>
public sealed class ShowModel(WalletTransactionReads reads) : DashboardPage
{
    public WalletTransactionView Transaction { get; private set; } = null!;
    public string Currency { get; private set; } = "";
    public string WalletName { get; private set; } = "";
    public Guid CustomerId { get; private set; }
    public bool Inbound { get; private set; }
    public string Tab => Inbound ? "Consumptions" : "Fundings";
    public IReadOnlyList<LedgerLinkView> Links { get; private set; } = [];
    public Keyset? Older { get; private set; }

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct)
    {
        if (await reads.FindAsync(id, ct) is not { } transaction) return Missing("wallet transaction");
        Transaction = WalletTransactionView.From(transaction, transaction.Wallet);
        Currency = transaction.Wallet.Currency;
        WalletName = transaction.Wallet.Name ?? transaction.Wallet.Code;
        CustomerId = transaction.CustomerId;
        Inbound = transaction.IsInbound;
        // A grant can feed thousands of debits: read in slices after a position, never counted or offset.
        var slice = await reads.LinksSliceAsync(transaction, Keyset.Parse(Query("after")), PerPage, ct);
        Links = slice.Rows;
        Older = slice.Next;
        return Page();
    }
}
