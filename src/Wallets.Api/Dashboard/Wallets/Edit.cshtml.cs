using Microsoft.AspNetCore.Mvc;
using Wallets.Api.Data;
using Wallets.Api.Features.Wallets;
using Wallets.Api.Http;

namespace Wallets.Api.Dashboard.Wallets;

/// <summary>Seed 002, "Edit wallet → Edit information": <see cref="WalletHandler.UpdateAsync"/>, as `PUT /wallets/{id}`.</summary>
public sealed class EditModel(OngoingBalances ongoing, Tenant tenant, WalletsDbContext db, WalletHandler handler, TimeProvider clock) : WalletActionPage(ongoing, tenant)
{
    public WalletForm Form { get; private set; } = new();
    public IReadOnlyList<string> Metrics { get; private set; } = [];

    protected override IReadOnlyCollection<string> FormFields => NewModel.Fields;

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return Missing("wallet");
        Form = WalletForm.Of(Wallet);
        Metrics = await NewModel.MetricCodesAsync(db, ct);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(Guid id, CancellationToken ct)
    {
        var wallet = await WalletLookup.ByIdAsync(db, id.ToString(), ct);
        if (!wallet.IsOk) return Missing("wallet");
        var before = wallet.Value!;
        Form = WalletForm.From(Request.Form) with { Currency = before.Currency };
        var (input, errors) = Form.ToInput(creating: false, before.Currency);
        if (!HasFormErrors(input, errors, new WalletValidator(creating: false, clock.GetUtcNow())))
        {
            // The date field shows days: a day left as it was keeps the wallet's exact expiration time.
            if (Form.ExpirationDate is not null && Form.ExpirationDate == Display.Date(before.ExpirationAt)) input.Sent = input.Sent.Except(["expiration_at"]).ToHashSet();
            var updated = await handler.UpdateAsync(before, input, ct);
            if (updated.IsOk) return Redirect($"/wallets/{id}?notice=updated");
            ShowError(updated.Error!);
        }
        Metrics = await NewModel.MetricCodesAsync(db, ct);
        return await LoadAsync(id, ct) ? Page() : Missing("wallet");
    }
}
