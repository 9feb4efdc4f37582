using Wallets.Domain.Allocation;

namespace Wallets.Domain.Tests.Allocation;

/// <summary>Small factories so each test states only what it is about.</summary>
internal static class Build
{
    public static readonly DateTimeOffset T0 = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static Guid Id(int n) => Guid.Parse($"00000000-0000-0000-0000-{n:x12}");

    public static InboundGrant Grant(int n, long remaining, int priority = 50, bool granted = false, int minute = 0, int? expiresAtMinute = null) =>
        new(Id(n), priority, granted, T0.AddMinutes(minute), remaining, expiresAtMinute is { } m ? T0.AddMinutes(m) : null);

    public static WalletCandidate Wallet(
        int n,
        long balance,
        string? code = null,
        int priority = 50,
        int minute = 0,
        string[]? feeTypes = null,
        Guid[]? metrics = null) =>
        new(
            Id(n),
            code ?? $"w{n}",
            priority,
            T0.AddMinutes(minute),
            balance,
            new HashSet<string>(feeTypes ?? []),
            new HashSet<Guid>(metrics ?? []));

    public static FeeToPay Fee(string type, decimal cap, Guid? metric = null, string? target = null) =>
        new(type, metric, target, cap);
}
