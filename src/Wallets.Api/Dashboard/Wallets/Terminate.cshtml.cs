using Microsoft.AspNetCore.Mvc;
using Wallets.Api.Features.Wallets;
using Wallets.Api.Http;

namespace Wallets.Api.Dashboard.Wallets;

/// <summary>Seed 002, "Edit wallet → Terminate wallet", confirmed: <see cref="WalletHandler.TerminateAsync"/>, as `DELETE /wallets/{id}`.</summary>
public sealed class TerminateModel(OngoingBalances ongoing, Tenant tenant, WalletHandler handler) : WalletActionPage(ongoing, tenant)
{
    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct) => await LoadAsync(id, ct) ? Page() : Missing("wallet");

    public async Task<IActionResult> OnPostAsync(Guid id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return Missing("wallet");
        // Terminating is idempotent in the API; a second confirmation (another tab) is told so rather than shown success.
        if (Wallet.Status != "active") return Page();
        var result = await handler.TerminateAsync(id, ct);
        if (result.IsOk) return Redirect($"/wallets/{id}?notice=terminated");
        ShowError(result.Error!);
        return Page();
    }
}
