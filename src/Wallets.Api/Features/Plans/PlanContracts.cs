using System.Text.Json.Serialization;
using Wallets.Api.Data;
using Wallets.Api.Features.Taxes;
using Wallets.Api.Http;

namespace Wallets.Api.Features.Plans;

public sealed class PlanInput : Input
{
    public string? Name { get; init; }
    public string? Code { get; init; }
    public string? InvoiceDisplayName { get; init; }
    public string? Description { get; init; }
    public string? Interval { get; init; }
    public long? AmountCents { get; init; }
    public string? AmountCurrency { get; init; }
    public decimal? TrialPeriod { get; init; }
    public bool? PayInAdvance { get; init; }
    public bool? BillChargesMonthly { get; init; }
    public List<string?>? TaxCodes { get; init; }
    public List<ChargeInput?>? Charges { get; init; }
}

public sealed record PlanRequest(PlanInput Plan);

public sealed record PlanEnvelope(PlanView Plan);

public sealed record PlansPage(IReadOnlyList<PlanView> Plans, PageMeta Meta);

/// <summary>Customers and active subscriptions on a plan (Lago shows both on the plan).</summary>
public sealed record PlanUsage(long Customers, long ActiveSubscriptions)
{
    public static readonly PlanUsage None = new(0, 0);
}

/// <summary>Lago's `PlanObject` with its charges and taxes. Fixed charges and usage thresholds are not supported yet: always empty.</summary>
public sealed record PlanView(
    Guid LagoId,
    string Name,
    string? InvoiceDisplayName,
    DateTimeOffset CreatedAt,
    string Code,
    string Interval,
    string? Description,
    long AmountCents,
    string AmountCurrency,
    [property: JsonConverter(typeof(DecimalAsNumber))] decimal? TrialPeriod,
    bool PayInAdvance,
    bool? BillChargesMonthly,
    bool? BillFixedChargesMonthly,
    long CustomersCount,
    long ActiveSubscriptionsCount,
    long DraftInvoicesCount,
    Guid? ParentId,
    bool PendingDeletion,
    IReadOnlyList<ChargeView> Charges,
    IReadOnlyList<object> FixedCharges,
    IReadOnlyList<TaxView> Taxes,
    IReadOnlyList<object> UsageThresholds)
{
    // Draft invoices do not reference plans yet (the invoicing work adds that), so the count is 0.
    public static PlanView From(Plan p, PlanUsage usage) => new(
        p.Id, p.Name, p.InvoiceDisplayName, p.CreatedAt, p.Code, p.Interval, p.Description, p.AmountCents, p.AmountCurrency,
        p.TrialPeriod, p.PayInAdvance, p.BillChargesMonthly, null, usage.Customers, usage.ActiveSubscriptions, 0, null, false,
        p.Charges.Where(c => c.DeletedAt is null).OrderBy(c => c.CreatedAt).ThenBy(c => c.Id).Select(ChargeView.From).ToList(),
        [], TaxView.Of(p.AppliedTaxes), []);
}
