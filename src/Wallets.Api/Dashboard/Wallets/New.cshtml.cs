using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Wallets.Api.Data;
using Wallets.Api.Features.Customers;
using Wallets.Api.Features.Wallets;

namespace Wallets.Api.Dashboard.Wallets;

/// <summary>Seed 002, "Add a wallet &amp; credits": <see cref="WalletHandler.CreateAsync"/>, as `POST /customers/{id}/wallets`.</summary>
public sealed class NewModel(CustomerReads customers, WalletsDbContext db, WalletHandler handler, TimeProvider clock) : DashboardPage
{
    public Customer Customer { get; private set; } = null!;
    public WalletForm Form { get; private set; } = new();
    public IReadOnlyList<string> Metrics { get; private set; } = [];

    protected override IReadOnlyCollection<string> FormFields => Fields;

    internal static readonly string[] Fields =
    [
        "name", "code", "priority", "currency", "rate_amount", "paid_credits", "granted_credits", "expiration_at", "fee_types",
        "billable_metric_codes", "paid_top_up_min_amount", "paid_top_up_max_amount", "recurring_rule",
    ];

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return Missing("customer");
        Form = new WalletForm { Currency = Customer.Currency };
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(Guid id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return Missing("customer");
        Form = WalletForm.From(Request.Form);
        var currency = Customer.Currency ?? Form.Currency ?? "";
        var (input, errors) = Form.ToInput(creating: true, currency);
        if (HasFormErrors(input, errors, new WalletValidator(creating: true, clock.GetUtcNow()))) return Page();
        var created = await handler.CreateAsync(input, Customer.ExternalId, ct);
        if (created.IsOk) return Redirect($"/wallets/{created.Value!.Id}?notice=wallet_created");
        ShowError(created.Error!);
        return Page();
    }

    private async Task<bool> LoadAsync(Guid id, CancellationToken ct)
    {
        if (await customers.FindAsync(id, ct) is not { } customer) return false;
        Customer = customer;
        Metrics = await MetricCodesAsync(db, ct);
        return true;
    }

    /// <summary>The codes a wallet may be limited to (the first 200, which a form can still show).</summary>
    internal static async Task<IReadOnlyList<string>> MetricCodesAsync(WalletsDbContext db, CancellationToken ct) =>
        await db.BillableMetrics.AsNoTracking().OrderBy(m => m.Code).Select(m => m.Code).Take(200).ToListAsync(ct);
}
