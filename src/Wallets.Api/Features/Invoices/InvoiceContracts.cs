using Wallets.Api.Data;
using Wallets.Api.Features.Customers;
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
    IReadOnlyList<object> Subscriptions,
    IReadOnlyList<object> Credits,
    IReadOnlyList<object> AppliedTaxes,
    IReadOnlyList<object> AppliedInvoiceCustomSections,
    IReadOnlyList<object> AppliedUsageThresholds)
{
    public static InvoiceView From(Invoice i)
    {
        var subTotalExcludingTaxes = i.FeesAmountCents - i.CouponsAmountCents;
        var paid = i.PaymentStatus == "succeeded" ? i.TotalAmountCents : 0;
        return new InvoiceView(
            i.Id, null, i.SequentialId, i.Number, i.IssuingDate, i.PaymentDueDate, false, null, i.NetPaymentTerm, i.InvoiceType,
            i.Status, i.PaymentStatus, i.Currency, i.FeesAmountCents, i.CouponsAmountCents, i.CreditNotesAmountCents,
            subTotalExcludingTaxes, i.TaxesAmountCents, subTotalExcludingTaxes + i.TaxesAmountCents, i.PrepaidCreditAmountCents,
            i.PrepaidGrantedCreditAmountCents, i.PrepaidPurchasedCreditAmountCents, i.ProgressiveBillingCreditAmountCents,
            i.TotalAmountCents, i.TotalAmountCents - paid, paid, 4, false, null, null, i.VoidedAt, i.CreatedAt, i.UpdatedAt,
            CustomerView.From(i.Customer), i.Metadata, i.Fees.OrderBy(f => f.CreatedAt).ThenBy(f => f.Id).Select(f => FeeView.From(f, i)).ToList(),
            [], [], [], [], []);
    }
}

public sealed record FeeItem(string Type, string Code, string Name, string? InvoiceDisplayName, Guid? LagoItemId, string ItemType);

/// <summary>Lago's fee object.</summary>
public sealed record FeeView(
    Guid LagoId,
    Guid LagoInvoiceId,
    Guid? LagoChargeId,
    Guid? LagoSubscriptionId,
    long AmountCents,
    string AmountCurrency,
    decimal PreciseAmount,
    long TaxesAmountCents,
    decimal TaxesRate,
    decimal Units,
    decimal PreciseUnitAmount,
    decimal TotalAggregatedUnits,
    long TotalAmountCents,
    string TotalAmountCurrency,
    long SubTotalExcludingTaxesAmountCents,
    decimal SubTotalExcludingTaxesPreciseAmountCents,
    bool PayInAdvance,
    bool Invoiceable,
    string PaymentStatus,
    DateTimeOffset CreatedAt,
    FeeItem Item,
    IReadOnlyList<object> AppliedTaxes)
{
    public static FeeView From(Fee f, Invoice i)
    {
        var subunit = Currencies.Get(i.Currency).SubunitToUnit;
        return new(
        f.Id, i.Id, null, null, f.AmountCents, i.Currency, (decimal)f.AmountCents / subunit, f.TaxesAmountCents, f.TaxesRate, f.Units,
        (decimal)f.UnitAmountCents / subunit, f.Units, f.AmountCents + f.TaxesAmountCents, i.Currency, f.AmountCents, f.AmountCents,
        false, true, i.PaymentStatus, f.CreatedAt,
        new FeeItem(f.FeeType, f.FeeType, f.InvoiceDisplayName ?? f.FeeType, f.InvoiceDisplayName, f.WalletTransactionId,
            f.WalletTransactionId is null ? "Fee" : "WalletTransaction"),
        []);
    }
}
