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
    public DateTimeOffset? FinalizedAt { get; set; }
    public DateTimeOffset? VoidedAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public List<Fee> Fees { get; set; } = [];
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
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
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
