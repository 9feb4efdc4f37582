using Microsoft.AspNetCore.Mvc;
using Wallets.Api.Data;
using Wallets.Api.Features.Customers;
using Wallets.Api.Features.Wallets;
using Wallets.Api.Http;

namespace Wallets.Api.Dashboard.Customers;

/// <summary>A customer and its Wallets tab: balances and ongoing balances exactly as `GET /wallets` reports them.</summary>
public sealed class ShowModel(CustomerReads customers, WalletReads wallets, OngoingBalances ongoing) : DashboardPage
{
    public Customer Customer { get; private set; } = null!;
    public IReadOnlyList<WalletView> Wallets { get; private set; } = [];
    public PageMeta Meta { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct)
    {
        if (await customers.FindAsync(id, ct) is not { } customer) return Missing("customer");
        Customer = customer;
        var page = await wallets.PageAsync(PageFromQuery(), customer.Id, null, ct);
        var usage = await ongoing.UsageOfAsync(page.Rows, ct);
        Wallets = page.Rows.Select(r => WalletView.From(r.Wallet, customer.ExternalId, usage.GetValueOrDefault(r.Wallet.Id))).ToList();
        Meta = page.Meta;
        return Page();
    }
}
