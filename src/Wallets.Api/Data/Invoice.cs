namespace Wallets.Api.Data;

public sealed class Invoice
{
    public Guid Id { get; set; }
    public Guid OrganizationId { get; set; }
    public Guid CustomerId { get; set; }
    public Customer Customer { get; set; } = null!;
    public long SequentialId { get; set; }
    public required string Number { get; set; }
    public required string InvoiceType { get; set; }
    public required string Status { get; set; }
    public string PaymentStatus { get; set; } = "pending";
    public required string Currency { get; set; }
    public DateOnly IssuingDate { get; set; }
    public DateOnly PaymentDueDate { get; set; }
    public int NetPaymentTerm { get; set; }
    public long FeesAmountCents { get; set; }
    public long CouponsAmountCents { get; set; }
    public long CreditNotesAmountCents { get; set; }
    public long TaxesAmountCents { get; set; }
    public long PrepaidCreditAmountCents { get; set; }
    public long? PrepaidGrantedCreditAmountCents { get; set; }
    public long? PrepaidPurchasedCreditAmountCents { get; set; }
    public long ProgressiveBillingCreditAmountCents { get; set; }
    public long TotalAmountCents { get; set; }
    public List<KeyValue> Metadata { get; set; } = [];
    public List<AppliedTaxLine> AppliedTaxes { get; set; } = [];
    public DateTimeOffset? FinalizedAt { get; set; }
    public DateTimeOffset? VoidedAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public List<Fee> Fees { get; set; } = [];
    public List<InvoiceSubscription> InvoiceSubscriptions { get; set; } = [];

    /// <summary>Lago's v4 arithmetic: fees − coupons, then taxes on top.</summary>
    public long SubTotalExcludingTaxesAmountCents => FeesAmountCents - CouponsAmountCents;

    public long SubTotalIncludingTaxesAmountCents => SubTotalExcludingTaxesAmountCents + TaxesAmountCents;
}

public sealed class Fee
{
    public Guid Id { get; set; }
    public Guid OrganizationId { get; set; }
    public Guid InvoiceId { get; set; }
    public required string FeeType { get; set; }
    public Guid? WalletTransactionId { get; set; }
    public string? InvoiceDisplayName { get; set; }
    public decimal Units { get; set; }
    public long UnitAmountCents { get; set; }
    public long AmountCents { get; set; }
    public long TaxesAmountCents { get; set; }
    public decimal TaxesRate { get; set; }
    public Guid? SubscriptionId { get; set; }
    public Guid? ChargeId { get; set; }
    public Guid? BillableMetricId { get; set; }
    public Guid? AddOnId { get; set; }
    public string? TargetWalletCode { get; set; }
    public long? EventsCount { get; set; }
    public decimal PreciseAmountCents { get; set; }
    public decimal TaxesPreciseAmountCents { get; set; }
    public List<AppliedTaxLine> AppliedTaxes { get; set; } = [];
    public DateTimeOffset? FromDatetime { get; set; }
    public DateTimeOffset? ToDatetime { get; set; }
    public bool PayInAdvance { get; set; }
    public string? ItemCode { get; set; }
    public string? ItemName { get; set; }
    public string? Description { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public static class FeeType
{
    public const string Subscription = "subscription";
    public const string Charge = "charge";
    public const string AddOn = "add_on";
    public const string Credit = "credit";
}

public static class InvoiceType
{
    public const string Subscription = "subscription";
    public const string OneOff = "one_off";
    public const string Credit = "credit";
}

public static class InvoiceStatus
{
    public const string Draft = "draft";
    public const string Open = "open";
    public const string Finalized = "finalized";
    public const string Voided = "voided";
}

/// <summary>
/// One tax as billed on a fee or an invoice, snapshotted (taxes may later be renamed or deleted).
/// <see cref="FeesAmountCents"/> is what it was applied to (invoice lines only).
/// </summary>
public sealed record AppliedTaxLine(
    Guid LagoId, Guid? TaxId, string TaxCode, string TaxName, decimal TaxRate, string? TaxDescription,
    long AmountCents, decimal PreciseAmountCents, long? FeesAmountCents);

/// <summary>Which subscription an invoice bills, and for which periods (see 0005_invoicing.sql).</summary>
public sealed class InvoiceSubscription
{
    public Guid Id { get; set; }
    public Guid OrganizationId { get; set; }
    public Guid InvoiceId { get; set; }
    public Guid SubscriptionId { get; set; }
    public required string InvoicingReason { get; set; }
    public DateTimeOffset? FromDatetime { get; set; }
    public DateTimeOffset? ToDatetime { get; set; }
    public DateTimeOffset? ChargesFromDatetime { get; set; }
    public DateTimeOffset? ChargesToDatetime { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

public static class InvoicingReason
{
    public const string Starting = "subscription_starting";
    public const string Periodic = "subscription_periodic";
    public const string Terminating = "subscription_terminating";
}

public sealed class IdempotencyKey
{
    public Guid OrganizationId { get; set; }
    public required string Key { get; set; }
    public required string RequestHash { get; set; }
    public int StatusCode { get; set; }
    public required string ResponseBody { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
