using System.Text.Json.Serialization;
using Wallets.Domain.Money;

namespace Wallets.Api.Features.Usage;

public sealed record CustomerUsageEnvelope(CustomerUsageView CustomerUsage);

/// <summary>Lago's `CustomerUsageObject` (V1::Customers::UsageSerializer).</summary>
public sealed record CustomerUsageView(
    DateTimeOffset FromDatetime,
    DateTimeOffset ToDatetime,
    string IssuingDate,
    Guid? LagoInvoiceId,
    string Currency,
    long AmountCents,
    long TaxesAmountCents,
    long TotalAmountCents,
    IReadOnlyList<ChargeUsageView> ChargesUsage);

/// <summary>Lago's `CustomerChargeUsageObject`; units are decimal strings.</summary>
public sealed record ChargeUsageView(
    string Units,
    string TotalAggregatedUnits,
    long EventsCount,
    long AmountCents,
    string AmountCurrency,
    ChargeRef Charge,
    MetricRef BillableMetric,
    IReadOnlyList<object> Filters,
    IReadOnlyList<GroupedUsageView> GroupedUsage);

public sealed record ChargeRef(Guid LagoId, string ChargeModel, string? InvoiceDisplayName);

public sealed record MetricRef(Guid LagoId, string Name, string Code, string AggregationType);

/// <summary>One target-wallet group of a charge that accepts target wallets (`grouped_by: {target_wallet_code: …}`).</summary>
public sealed record GroupedUsageView(
    long AmountCents,
    long EventsCount,
    string Units,
    string TotalAggregatedUnits,
    [property: JsonPropertyName("grouped_by")] IReadOnlyDictionary<string, string?> GroupedBy,
    IReadOnlyList<object> Filters);

internal static class UnitsText
{
    public static string Of(decimal units) => DecimalText.Format(units);
}
