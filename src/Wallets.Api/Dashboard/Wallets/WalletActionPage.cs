using Wallets.Api.Features.Wallets;
using Wallets.Api.Http;

namespace Wallets.Api.Dashboard.Wallets;

/// <summary>A page acting on one wallet (Top up, Void credits, Edit information, Terminate wallet): the wallet as the API reports it.</summary>
public abstract class WalletActionPage(OngoingBalances ongoing, Tenant tenant) : DashboardPage
{
    public WalletView Wallet { get; private set; } = null!;

    /// <summary>False when the organization has no such wallet.</summary>
    protected async Task<bool> LoadAsync(Guid id, CancellationToken ct)
    {
        if (await ongoing.WalletByIdAsync(tenant.OrganizationId, id, ct) is not { Read.Wallet: var wallet, OngoingUsageCents: var usage }) return false;
        Wallet = WalletView.From(wallet, wallet.Customer.ExternalId, usage);
        if (wallet.Status != "active") Stale ??= "This wallet is terminated: it can no longer be topped up, voided or edited.";
        return true;
    }
}
