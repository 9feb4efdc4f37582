using Microsoft.AspNetCore.Mvc;
using Wallets.Api.Features.WalletTransactions;
using Wallets.Api.Features.Wallets;
using Wallets.Api.Http;

namespace Wallets.Api.Dashboard.Wallets;

/// <summary>Voids credits from the wallet: <see cref="TopUpHandler"/> with `voided_credits`, as `POST /wallet_transactions`.</summary>
public sealed class VoidModel(OngoingBalances ongoing, Tenant tenant, TopUpHandler handler) : WalletActionPage(ongoing, tenant)
{
    [BindProperty(Name = "voided_credits")] public string? VoidedCredits { get; set; }

    protected override IReadOnlyCollection<string> FormFields => ["voided_credits"];

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct) => await LoadAsync(id, ct) ? Page() : Missing("wallet");

    public async Task<IActionResult> OnPostAsync(Guid id, CancellationToken ct)
    {
        if (Text(VoidedCredits) is null)
        {
            AddError("voided_credits", "Enter the number of credits to void.");
            return await LoadAsync(id, ct) ? Page() : Missing("wallet");
        }
        var result = await handler.HandleAsync(new WalletTransactionInput { WalletId = id.ToString(), VoidedCredits = Text(VoidedCredits) }, ct);
        if (result.IsOk) return Redirect($"/wallets/{id}?notice=voided");
        ShowError(result.Error!);
        return await LoadAsync(id, ct) ? Page() : Missing("wallet");
    }
}
