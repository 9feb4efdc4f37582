namespace Wallets.Api.Data;

/// <summary>A wallet's automatic top-up (Lago's recurring transaction rule); at most one is active per wallet.</summary>
public sealed class RecurringTransactionRule
{
    public Guid Id { get; set; }
    public Guid OrganizationId { get; set; }
    public Guid WalletId { get; set; }
    public required string Trigger { get; set; }
    public string Method { get; set; } = RuleMethod.Fixed;
    public string? Interval { get; set; }
    public string Status { get; set; } = WalletStatus.Active;
    public decimal PaidCredits { get; set; }
    public decimal GrantedCredits { get; set; }
    public decimal ThresholdCredits { get; set; }
    public decimal? TargetOngoingBalance { get; set; }
    public bool? GrantsTargetTopUp { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? ExpirationAt { get; set; }
    public DateTimeOffset? TerminatedAt { get; set; }
    public bool InvoiceRequiresSuccessfulPayment { get; set; }
    public bool IgnorePaidTopUpLimits { get; set; }
    public string? TransactionName { get; set; }
    public List<KeyValue> TransactionMetadata { get; set; } = [];
    /// <summary>How many days each of its top-ups lasts before its remaining credits expire (null: never).</summary>
    public int? TransactionExpirationDays { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public bool IsTarget => Method == RuleMethod.Target;

    public void Terminate(DateTimeOffset now)
    {
        Status = WalletStatus.Terminated;
        TerminatedAt = UpdatedAt = now;
    }
}

public static class RuleTrigger
{
    public const string Interval = "interval";
    public const string Threshold = "threshold";
}

public static class RuleMethod
{
    public const string Fixed = "fixed";
    public const string Target = "target";
}

/// <summary>Where a top-up came from (`wallet_transactions.source`).</summary>
public static class TopUpSource
{
    public const string Manual = "manual";
    public const string Interval = "interval";
    public const string Threshold = "threshold";
}
