using Microsoft.AspNetCore.Mvc;
using Wallets.Api.Features.WalletTransactions;
using Wallets.Api.Features.Wallets;
using Wallets.Api.Http;

namespace Wallets.Api.Dashboard.Wallets;

/// <summary>Paid and granted credits: <see cref="TopUpHandler"/>, as `POST /wallet_transactions`.</summary>
public sealed class TopUpModel(OngoingBalances ongoing, Tenant tenant, TopUpHandler handler) : WalletActionPage(ongoing, tenant)
{
    [BindProperty(Name = "paid_credits")] public string? PaidCredits { get; set; }
    [BindProperty(Name = "granted_credits")] public string? GrantedCredits { get; set; }
    [BindProperty(Name = "name")] public string? Name { get; set; }
    [BindProperty(Name = "expiration_at")] public string? ExpirationDate { get; set; }
    [BindProperty(Name = "invoice_requires_successful_payment")] public bool InvoiceRequiresSuccessfulPayment { get; set; }
    [BindProperty(Name = "ignore_paid_top_up_limits")] public bool IgnorePaidTopUpLimits { get; set; }

    protected override IReadOnlyCollection<string> FormFields => ["paid_credits", "granted_credits", "name", "expiration_at"];

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return Missing("wallet");
        InvoiceRequiresSuccessfulPayment = Wallet.InvoiceRequiresSuccessfulPayment;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(Guid id, CancellationToken ct)
    {
        if (Text(PaidCredits) is null && Text(GrantedCredits) is null)
        {
            AddError("paid_credits", "Enter paid credits, granted credits, or both.");
            return await LoadAsync(id, ct) ? Page() : Missing("wallet");
        }
        var input = new WalletTransactionInput
        {
            WalletId = id.ToString(), PaidCredits = Text(PaidCredits), GrantedCredits = Text(GrantedCredits), Name = Text(Name),
            InvoiceRequiresSuccessfulPayment = InvoiceRequiresSuccessfulPayment, IgnorePaidTopUpLimits = IgnorePaidTopUpLimits,
            ExpirationAt = WalletForm.EndOfDay(Text(ExpirationDate)),
        };
        var result = await handler.HandleAsync(input, ct);
        if (result.IsOk) return Redirect($"/wallets/{id}?notice=topped_up");
        ShowError(result.Error!);
        return await LoadAsync(id, ct) ? Page() : Missing("wallet");
    }
}
