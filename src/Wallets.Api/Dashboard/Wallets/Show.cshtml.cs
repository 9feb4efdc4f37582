using Microsoft.AspNetCore.Mvc;
using Wallets.Api.Features.Customers;
using Wallets.Api.Features.WalletTransactions;
using Wallets.Api.Features.Wallets;
using Wallets.Api.Http;

namespace Wallets.Api.Dashboard.Wallets;

/// <summary>A wallet as `GET /wallets/{id}` reports it, and a page of its transactions as `GET /wallets/{id}/wallet_transactions` lists them.</summary>
public sealed class ShowModel(OngoingBalances ongoing, WalletTransactionReads transactions, CustomerReads customers, Tenant tenant) : DashboardPage
{
    public WalletView Wallet { get; private set; } = null!;
    public string CustomerName { get; private set; } = "";
    public TransactionFilter Filter { get; private set; } = TransactionFilter.None;
    public IReadOnlyList<WalletTransactionView> Transactions { get; private set; } = [];
    public Keyset? Older { get; private set; }

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct)
    {
        if (await ongoing.WalletByIdAsync(tenant.OrganizationId, id, ct) is not { Read.Wallet: var wallet, OngoingUsageCents: var usage }) return Missing("wallet");
        Wallet = WalletView.From(wallet, wallet.Customer.ExternalId, usage);
        var customer = await customers.FindAsync(wallet.CustomerId, ct);
        CustomerName = customer?.Name ?? wallet.Customer.ExternalId;
        Filter = TransactionFilter.From(Request.Query) with { Metadata = [] };
        // A slice after a position, not a numbered page: no count and no offset over a history of any length.
        var slice = await transactions.SliceAsync(wallet.Id, Filter, Keyset.Parse(Query("after")), PerPage, ct);
        Transactions = slice.Rows.Select(t => WalletTransactionView.From(t, wallet)).ToList();
        Older = slice.Next;
        return Page();
    }
}
