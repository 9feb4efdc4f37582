namespace Wallets.Api.Data;

/// <summary>A wallet alert (Lago's wallet types of usage monitoring alerts) and its thresholds.</summary>
public sealed class WalletAlert
{
    public Guid Id { get; set; }
    public Guid OrganizationId { get; set; }
    public Guid WalletId { get; set; }
    public Wallet Wallet { get; set; } = null!;
    public required string AlertType { get; set; }
    public required string Code { get; set; }
    public string? Name { get; set; }
    public decimal CentsPerCredit { get; set; }
    public decimal PreviousValue { get; set; }
    public DateTimeOffset? LastProcessedAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public List<WalletAlertThreshold> Thresholds { get; set; } = [];
}

public sealed class WalletAlertThreshold
{
    public Guid Id { get; set; }
    public Guid AlertId { get; set; }
    public int Position { get; set; }
    public string? Code { get; set; }
    public decimal Value { get; set; }
    public bool Recurring { get; set; }
}

public static class WalletAlertTypes
{
    public const string BalanceAmount = "wallet_balance_amount";
    public const string CreditsBalance = "wallet_credits_balance";
    public const string OngoingBalanceAmount = "wallet_ongoing_balance_amount";
    public const string CreditsOngoingBalance = "wallet_credits_ongoing_balance";

    public static readonly string[] All = [BalanceAmount, CreditsBalance, OngoingBalanceAmount, CreditsOngoingBalance];
}
