using Wallets.Domain.Money;

namespace Wallets.Api.Data;

public sealed class Wallet
{
    public Guid Id { get; set; }
    public Guid OrganizationId { get; set; }
    public Guid CustomerId { get; set; }
    public Customer Customer { get; set; } = null!;
    public string Status { get; set; } = WalletStatus.Active;
    public string? Name { get; set; }
    public required string Code { get; set; }
    public int Priority { get; set; } = 50;
    public required string Currency { get; set; }
    public decimal RateAmount { get; set; }
    public long BalanceCents { get; set; }
    public long ConsumedAmountCents { get; set; }
    /// <summary>What its active holds reserve: the wallet may spend only <see cref="AvailableCents"/> on anything else.</summary>
    public long HeldCents { get; set; }
    public long OngoingUsageBalanceCents { get; set; }
    public bool DepletedOngoingBalance { get; set; }
    public bool InvoiceRequiresSuccessfulPayment { get; set; }
    public long? PaidTopUpMinAmountCents { get; set; }
    public long? PaidTopUpMaxAmountCents { get; set; }
    public string[] AllowedFeeTypes { get; set; } = [];
    public string[] BillableMetricCodes { get; set; } = [];
    public Dictionary<string, string?>? Metadata { get; set; }
    public DateTimeOffset? ExpirationAt { get; set; }
    public DateTimeOffset? TerminatedAt { get; set; }
    public DateTimeOffset? LastBalanceSyncAt { get; set; }
    public DateTimeOffset? LastConsumedCreditAt { get; set; }
    public DateTimeOffset? LastOngoingBalanceSyncAt { get; set; }
    /// <summary>
    /// The band of balances (cents) inside which none of the wallet's balance alerts can fire or re-arm: a balance at or
    /// below the floor, or above the ceiling, is evaluated (null: no such bound). Kept by the database.
    /// </summary>
    public long? AlertFloorCents { get; set; }
    public long? AlertCeilingCents { get; set; }
    /// <summary>No open grant of the wallet expires before this instant (null: none expires); kept by the ledger, read only.</summary>
    public DateTimeOffset? NextExpirationAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>The active recurring transaction rule, when the code that read the wallet loaded it (not mapped).</summary>
    public RecurringTransactionRule? ActiveRule { get; set; }

    public bool IsActive => Status == WalletStatus.Active;

    /// <summary>Whether a balance of <paramref name="balanceCents"/> leaves the alert band, so the balance alerts must be evaluated.</summary>
    public bool LeavesAlertBand(long balanceCents) => balanceCents <= AlertFloorCents || balanceCents > AlertCeilingCents;
    /// <summary>The balance no hold reserves: what voids, invoices, usage and new holds may take.</summary>
    public long AvailableCents => BalanceCents - HeldCents;

    /// <summary>The one credits↔money conversion for this wallet.</summary>
    public CreditRate Rate => new(RateAmount, Currencies.Get(Currency));
}

public static class WalletStatus
{
    public const string Active = "active";
    public const string Terminated = "terminated";
}
