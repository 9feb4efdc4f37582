using System.Text.Json.Nodes;
using Wallets.Api.Data;
using Wallets.Api.Features.Taxes;
using Wallets.Api.Http;

namespace Wallets.Api.Features.Plans;

/// <summary>A charge, inline in a plan or on its own (`{"charge": {...}}`). `id` matters only inside a plan update.</summary>
public sealed class ChargeInput : Input
{
    public string? Id { get; init; }
    public string? BillableMetricId { get; init; }
    public string? Code { get; init; }
    public string? ChargeModel { get; init; }
    public bool? PayInAdvance { get; init; }
    public bool? Invoiceable { get; init; }
    public bool? Prorated { get; init; }
    public string? RegroupPaidFees { get; init; }
    public long? MinAmountCents { get; init; }
    public string? InvoiceDisplayName { get; init; }
    public JsonObject? Properties { get; init; }
    public List<ChargeFilterInput?>? Filters { get; init; }
    public List<string?>? TaxCodes { get; init; }
    public bool? AcceptsTargetWallet { get; init; }
    // The wallet docs' spelling (DESIGN.md decision 13); the singular wins when both are sent.
    public bool? AcceptsTargetWallets { get; init; }
    public bool? CascadeUpdates { get; init; }

    public bool? TargetWallet => AcceptsTargetWallet ?? AcceptsTargetWallets;

    /// <summary>
    /// Whether the client set this field. A root body knows its keys; a charge nested in a plan does not, so there
    /// a null means "keep" (a nested charge cannot clear a field, only change it).
    /// </summary>
    public bool Gives(string key, object? value) => Sent.Count > 0 ? Has(key) : value is not null;
}

public sealed record ChargeFilterInput(string? InvoiceDisplayName, JsonObject? Properties, Dictionary<string, List<string?>?>? Values);

public sealed record ChargeRequest(ChargeInput Charge);

public sealed record ChargeEnvelope(ChargeView Charge);

public sealed record ChargesPage(IReadOnlyList<ChargeView> Charges, PageMeta Meta);

/// <summary>Lago's `ChargeObject`, with `accepts_target_wallet` under both of its names.</summary>
public sealed record ChargeView(
    Guid LagoId,
    Guid LagoBillableMetricId,
    string Code,
    string? InvoiceDisplayName,
    string BillableMetricCode,
    DateTimeOffset CreatedAt,
    string ChargeModel,
    bool Invoiceable,
    string? RegroupPaidFees,
    bool PayInAdvance,
    bool Prorated,
    long MinAmountCents,
    JsonObject Properties,
    IReadOnlyList<ChargeFilter> Filters,
    IReadOnlyList<TaxView> Taxes,
    object? AppliedPricingUnit,
    bool AcceptsTargetWallet,
    bool AcceptsTargetWallets,
    Guid? LagoParentId)
{
    public static ChargeView From(Charge c) => new(
        c.Id, c.BillableMetricId, c.Code, c.InvoiceDisplayName, c.BillableMetric.Code, c.CreatedAt, c.ChargeModel, c.Invoiceable,
        c.RegroupPaidFees, c.PayInAdvance, c.Prorated, c.MinAmountCents, ChargeProperties.ForDisplay(c.Properties),
        c.Filters.Select(f => f with { Properties = ChargeProperties.ForDisplay(f.Properties) }).ToList(),
        TaxView.Of(c.AppliedTaxes), null, c.AcceptsTargetWallet, c.AcceptsTargetWallet, null);
}
