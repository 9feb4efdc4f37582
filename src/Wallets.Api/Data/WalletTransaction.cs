namespace Wallets.Api.Data;

public sealed class WalletTransaction
{
    public Guid Id { get; set; }
    public Guid OrganizationId { get; set; }
    public Guid CustomerId { get; set; }
    public Guid WalletId { get; set; }
    public Wallet Wallet { get; set; } = null!;
    public required string TransactionType { get; set; }
    public required string Status { get; set; }
    public required string TransactionStatus { get; set; }
    public string Source { get; set; } = "manual";
    public long AmountCents { get; set; }
    public decimal CreditAmount { get; set; }
    public long? RemainingAmountCents { get; set; }
    public int Priority { get; set; } = 50;
    public string? Name { get; set; }
    public List<KeyValue> Metadata { get; set; } = [];
    public Guid? InvoiceId { get; set; }
    public Guid? CreditNoteId { get; set; }
    public Guid? VoidedInvoiceId { get; set; }
    /// <summary>The hold an `invoiced` outbound captured (it names no invoice then).</summary>
    public Guid? HoldId { get; set; }
    public bool InvoiceRequiresSuccessfulPayment { get; set; }
    public DateTimeOffset? SettledAt { get; set; }
    public DateTimeOffset? FailedAt { get; set; }
    /// <summary>An inbound transaction's expiry: its remaining credits are voided then (null: never).</summary>
    public DateTimeOffset? ExpirationAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public bool IsInbound => TransactionType == Direction.Inbound;
}

public sealed record KeyValue(string Key, string? Value);

public static class Direction
{
    public const string Inbound = "inbound";
    public const string Outbound = "outbound";
}

public static class TxStatus
{
    public const string Pending = "pending";
    public const string Settled = "settled";
    public const string Failed = "failed";
}

public static class TxKind
{
    public const string Purchased = "purchased";
    public const string Granted = "granted";
    public const string Voided = "voided";
    public const string Invoiced = "invoiced";
}

/// <summary>One grant (inbound) paying part of one debit (outbound).</summary>
public sealed class WalletTransactionConsumption
{
    public Guid Id { get; set; }
    public Guid OrganizationId { get; set; }
    public Guid WalletId { get; set; }
    public Guid InboundWalletTransactionId { get; set; }
    public WalletTransaction Inbound { get; set; } = null!;
    public Guid OutboundWalletTransactionId { get; set; }
    public WalletTransaction Outbound { get; set; } = null!;
    public long ConsumedAmountCents { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
