using System.Text.Json.Serialization;
using Wallets.Api.Data;
using Wallets.Api.Features.Customers;
using Wallets.Api.Features.Subscriptions;
using Wallets.Api.Http;
using Wallets.Domain.Money;

namespace Wallets.Api.Features.Invoices;

public sealed class InvoiceUpdateInput : Input
{
    public string? PaymentStatus { get; init; }
    public List<KeyValue>? Metadata { get; init; }
}

public sealed record InvoiceEnvelope(InvoiceView Invoice);

public sealed record InvoicesPage(IReadOnlyList<InvoiceView> Invoices, PageMeta Meta);

/// <summary>Lago's invoice object; wallet credits show up as the `prepaid_*` amounts.</summary>
public sealed record InvoiceView(
    Guid LagoId,
    string? BillingEntityCode,
    long SequentialId,
    string Number,
    DateOnly IssuingDate,
    DateOnly PaymentDueDate,
    bool PaymentOverdue,
    DateTimeOffset? PaymentDisputeLostAt,
    int NetPaymentTerm,
    string InvoiceType,
    string Status,
    string PaymentStatus,
    string Currency,
    long FeesAmountCents,
    long CouponsAmountCents,
    long CreditNotesAmountCents,
    long SubTotalExcludingTaxesAmountCents,
    long TaxesAmountCents,
    long SubTotalIncludingTaxesAmountCents,
    long PrepaidCreditAmountCents,
    long? PrepaidGrantedCreditAmountCents,
    long? PrepaidPurchasedCreditAmountCents,
    long ProgressiveBillingCreditAmountCents,
    long TotalAmountCents,
    long TotalDueAmountCents,
    long TotalPaidAmountCents,
    int VersionNumber,
    bool SelfBilled,
    string? FileUrl,
    string? WebUrl,
    DateTimeOffset? VoidedAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    CustomerView Customer,
    IReadOnlyList<KeyValue> Metadata,
    IReadOnlyList<FeeView> Fees,
    IReadOnlyList<SubscriptionView> Subscriptions,
    IReadOnlyList<object> Credits,
    IReadOnlyList<InvoiceAppliedTaxView> AppliedTaxes,
    IReadOnlyList<object> AppliedInvoiceCustomSections,
    IReadOnlyList<object> AppliedUsageThresholds)
{
    /// <summary>The invoice with its customer and fees loaded; <paramref name="subscriptions"/> renders what it bills.</summary>
    public static InvoiceView From(Invoice i, IReadOnlyDictionary<Guid, SubscriptionView> subscriptions)
    {
        var paid = i.PaymentStatus == "succeeded" ? i.TotalAmountCents : 0;
        var billed = i.InvoiceSubscriptions.Select(s => s.SubscriptionId).Distinct()
            .Select(id => subscriptions.GetValueOrDefault(id)).OfType<SubscriptionView>().ToList();
        return new InvoiceView(
            i.Id, null, i.SequentialId, i.Number, i.IssuingDate, i.PaymentDueDate, false, null, i.NetPaymentTerm, i.InvoiceType,
            i.Status, i.PaymentStatus, i.Currency, i.FeesAmountCents, i.CouponsAmountCents, i.CreditNotesAmountCents,
            i.SubTotalExcludingTaxesAmountCents, i.TaxesAmountCents, i.SubTotalIncludingTaxesAmountCents, i.PrepaidCreditAmountCents,
            i.PrepaidGrantedCreditAmountCents, i.PrepaidPurchasedCreditAmountCents, i.ProgressiveBillingCreditAmountCents,
            i.TotalAmountCents, i.TotalAmountCents - paid, paid, 4, false, null, null, i.VoidedAt, i.CreatedAt, i.UpdatedAt,
            CustomerView.From(i.Customer), i.Metadata,
            i.Fees.OrderBy(f => f.CreatedAt).ThenBy(f => f.Id).Select(f => FeeView.From(f, i, subscriptions.GetValueOrDefault(f.SubscriptionId ?? Guid.Empty))).ToList(),
            billed, [], i.AppliedTaxes.Select(t => InvoiceAppliedTaxView.From(t, i)).ToList(), [], []);
    }
}

/// <summary>One tax of the whole invoice (Lago's `InvoiceAppliedTaxObject`).</summary>
public sealed record InvoiceAppliedTaxView(
    Guid LagoId, Guid LagoInvoiceId, Guid? LagoTaxId, string TaxName, string TaxCode,
    [property: JsonConverter(typeof(DecimalAsNumber))] decimal TaxRate, string? TaxDescription,
    long AmountCents, string AmountCurrency, long FeesAmountCents, DateTimeOffset CreatedAt)
{
    public static InvoiceAppliedTaxView From(AppliedTaxLine t, Invoice i) => new(
        t.LagoId, i.Id, t.TaxId, t.TaxName, t.TaxCode, t.TaxRate, t.TaxDescription, t.AmountCents, i.Currency, t.FeesAmountCents ?? 0, i.CreatedAt);
}

/// <summary>One tax of one fee (Lago's `FeeAppliedTaxObject`).</summary>
public sealed record FeeAppliedTaxView(
    Guid LagoId, Guid LagoFeeId, Guid? LagoTaxId, string TaxName, string TaxCode,
    [property: JsonConverter(typeof(DecimalAsNumber))] decimal TaxRate, string? TaxDescription,
    long AmountCents, string AmountCurrency, DateTimeOffset CreatedAt)
{
    public static FeeAppliedTaxView From(AppliedTaxLine t, Fee f, string currency) => new(
        t.LagoId, f.Id, t.TaxId, t.TaxName, t.TaxCode, t.TaxRate, t.TaxDescription, t.AmountCents, currency, f.CreatedAt);
}

/// <summary>What a fee bills: a plan (subscription), a billable metric (charge), an add-on, or a credit purchase.</summary>
public sealed record FeeItem(
    string Type, string Code, string Name, string? Description, string? InvoiceDisplayName, string? FilterInvoiceDisplayName,
    object? Filters, Guid? LagoItemId, string ItemType, IReadOnlyDictionary<string, string?> GroupedBy)
{
    private static readonly IReadOnlyDictionary<string, string?> NoGroups = new Dictionary<string, string?>();

    public static FeeItem Of(Fee f) => f.FeeType switch
    {
        FeeType.Subscription => new(f.FeeType, f.ItemCode ?? "", f.ItemName ?? "", f.Description, f.InvoiceDisplayName, null, null,
            f.SubscriptionId, "Subscription", NoGroups),
        FeeType.Charge => new(f.FeeType, f.ItemCode ?? "", f.ItemName ?? "", f.Description, f.InvoiceDisplayName, null, null,
            f.BillableMetricId, "BillableMetric",
            f.TargetWalletCode is null ? NoGroups : new Dictionary<string, string?> { ["target_wallet_code"] = f.TargetWalletCode }),
        FeeType.AddOn => new(f.FeeType, f.ItemCode ?? "", f.ItemName ?? "", f.Description, f.InvoiceDisplayName, null, null,
            f.AddOnId, "AddOn", NoGroups),
        _ => new(f.FeeType, f.FeeType, f.InvoiceDisplayName ?? f.FeeType, null, f.InvoiceDisplayName, null, null,
            f.WalletTransactionId, f.WalletTransactionId is null ? "Fee" : "WalletTransaction", NoGroups),
    };
}

/// <summary>Lago's fee object. Precise amounts are in currency units, as Lago renders them.</summary>
public sealed record FeeView(
    Guid LagoId,
    Guid? LagoChargeId,
    Guid? LagoChargeFilterId,
    Guid? LagoFixedChargeId,
    Guid LagoInvoiceId,
    Guid? LagoTrueUpFeeId,
    Guid? LagoTrueUpParentFeeId,
    Guid? LagoSubscriptionId,
    Guid? LagoCustomerId,
    string? ExternalCustomerId,
    string? ExternalSubscriptionId,
    long AmountCents,
    decimal PreciseAmount,
    decimal PreciseTotalAmount,
    string AmountCurrency,
    long TaxesAmountCents,
    decimal TaxesPreciseAmount,
    [property: JsonConverter(typeof(DecimalAsNumber))] decimal TaxesRate,
    decimal Units,
    decimal PreciseUnitAmount,
    decimal TotalAggregatedUnits,
    long TotalAmountCents,
    string TotalAmountCurrency,
    long? EventsCount,
    bool PayInAdvance,
    bool Invoiceable,
    DateTimeOffset? FromDate,
    DateTimeOffset? ToDate,
    string PaymentStatus,
    DateTimeOffset CreatedAt,
    DateTimeOffset? SucceededAt,
    DateTimeOffset? FailedAt,
    DateTimeOffset? RefundedAt,
    string? EventTransactionId,
    string? Description,
    decimal PreciseCouponsAmountCents,
    long SubTotalExcludingTaxesAmountCents,
    decimal SubTotalExcludingTaxesPreciseAmountCents,
    object AmountDetails,
    bool SelfBilled,
    FeeItem Item,
    IReadOnlyList<FeeAppliedTaxView> AppliedTaxes)
{
    public static FeeView From(Fee f, Invoice i, SubscriptionView? subscription)
    {
        var subunit = Currencies.Get(i.Currency).SubunitToUnit;
        var preciseCents = f.PreciseAmountCents;
        var belongsToCustomer = f.FeeType is FeeType.Subscription or FeeType.Charge;
        return new FeeView(
            f.Id, f.ChargeId, null, null, i.Id, null, null, f.SubscriptionId,
            belongsToCustomer ? i.CustomerId : null, belongsToCustomer ? i.Customer.ExternalId : null, subscription?.ExternalId,
            f.AmountCents, preciseCents / subunit, (preciseCents + f.TaxesPreciseAmountCents) / subunit, i.Currency,
            f.TaxesAmountCents, f.TaxesPreciseAmountCents / subunit, f.TaxesRate, f.Units,
            f.Units == 0 ? (decimal)f.UnitAmountCents / subunit : preciseCents / f.Units / subunit, f.Units,
            f.AmountCents + f.TaxesAmountCents, i.Currency, f.EventsCount, f.PayInAdvance, true, f.FromDatetime, f.ToDatetime,
            i.PaymentStatus, f.CreatedAt, null, null, null, null, f.Description, 0m, f.AmountCents, preciseCents, new { },
            false, FeeItem.Of(f), f.AppliedTaxes.Select(t => FeeAppliedTaxView.From(t, f, i.Currency)).ToList());
    }
}
