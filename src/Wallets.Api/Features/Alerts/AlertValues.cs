using Wallets.Api.Data;
using Wallets.Api.Features.Wallets;

namespace Wallets.Api.Features.Alerts;

/// <summary>The value each wallet alert type watches, for one wallet now: balance in cents or credits, ongoing balance in cents or credits.</summary>
public static class AlertValues
{
    public static async Task<Dictionary<string, decimal>> CurrentAsync(
        Wallet wallet, IEnumerable<string> types, WalletsDbContext db, OngoingBalances ongoing, CancellationToken ct)
    {
        var wanted = types.ToHashSet();
        var usage = wanted.Contains(WalletAlertTypes.OngoingBalanceAmount) || wanted.Contains(WalletAlertTypes.CreditsOngoingBalance)
            ? (await ongoing.UsageOfAsync([wallet], db, ct)).GetValueOrDefault(wallet.Id)
            : 0L;
        var rate = wallet.Rate;
        var ongoingCents = wallet.AvailableCents - usage;
        return new Dictionary<string, decimal>
        {
            [WalletAlertTypes.BalanceAmount] = wallet.BalanceCents,
            [WalletAlertTypes.CreditsBalance] = rate.FromCents(wallet.BalanceCents).Credits,
            [WalletAlertTypes.OngoingBalanceAmount] = ongoingCents,
            [WalletAlertTypes.CreditsOngoingBalance] = rate.SignedCredits(ongoingCents),
        };
    }
}
