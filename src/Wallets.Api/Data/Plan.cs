using System.Text.Json.Nodes;

namespace Wallets.Api.Data;

/// <summary>A price plan: a base amount per interval plus usage charges. Deleting one is a soft delete.</summary>
public sealed class Plan
{
    public Guid Id { get; set; }
    public Guid OrganizationId { get; set; }
    public required string Name { get; set; }
    public required string Code { get; set; }
    public string? InvoiceDisplayName { get; set; }
    public string? Description { get; set; }
    public required string Interval { get; set; }
    public long AmountCents { get; set; }
    public required string AmountCurrency { get; set; }
    public decimal? TrialPeriod { get; set; }
    public bool PayInAdvance { get; set; }
    public bool? BillChargesMonthly { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? DeletedAt { get; set; }
    public List<Charge> Charges { get; set; } = [];
    public List<PlanTax> AppliedTaxes { get; set; } = [];
}

/// <summary>A usage charge of a plan: how one billable metric is priced.</summary>
public sealed class Charge
{
    public Guid Id { get; set; }
    public Guid OrganizationId { get; set; }
    public Guid PlanId { get; set; }
    public Guid BillableMetricId { get; set; }
    public BillableMetric BillableMetric { get; set; } = null!;
    public required string Code { get; set; }
    public required string ChargeModel { get; set; }
    public bool PayInAdvance { get; set; }
    public bool Invoiceable { get; set; } = true;
    public bool Prorated { get; set; }
    public string? RegroupPaidFees { get; set; }
    public long MinAmountCents { get; set; }
    public string? InvoiceDisplayName { get; set; }
    public JsonObject Properties { get; set; } = [];
    public List<ChargeFilter> Filters { get; set; } = [];
    public bool AcceptsTargetWallet { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? DeletedAt { get; set; }
    public List<ChargeTax> AppliedTaxes { get; set; } = [];
}

/// <summary>A price for the events whose properties match <see cref="Values"/> (keys and values of the metric's filters).</summary>
public sealed record ChargeFilter(string? InvoiceDisplayName, JsonObject Properties, Dictionary<string, List<string>> Values);

public static class ChargeModel
{
    public const string Standard = "standard";
    public const string Graduated = "graduated";
    public const string Package = "package";

    public static readonly IReadOnlySet<string> Supported = new HashSet<string> { Standard, Graduated, Package };
}
