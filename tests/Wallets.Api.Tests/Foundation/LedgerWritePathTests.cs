using System.Text.RegularExpressions;

namespace Wallets.Api.Tests.Foundation;

/// <summary>
/// DESIGN.md 19: only the ledger module (`src/Wallets.Api/Ledger/`) writes ledger rows, ledger fields and wallet
/// balances, and only it spells the customer lock. Anything else doing so is found here by reading the source.
/// </summary>
public sealed partial class LedgerWritePathTests
{
    private static readonly (string Rule, Regex Pattern)[] Rules =
    [
        ("adds, attaches or removes ledger rows through EF", EfWrite()),
        ("writes ledger rows in SQL", SqlWrite()),
        ("sets a wallet balance in SQL", SqlBalanceSet()),
        ("edits a ledger field, a wallet balance or its history", FieldEdit()),
        ("spells the customer lock", CustomerLockKey()),
    ];

    [Fact]
    public void No_code_outside_the_ledger_module_writes_ledger_rows_or_balances_or_spells_the_customer_lock()
    {
        var api = Path.Combine(RepositoryRoot(), "src", "Wallets.Api");
        var ledger = Path.Combine(api, "Ledger") + Path.DirectorySeparatorChar;
        var files = Directory.EnumerateFiles(api, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .ToList();
        Assert.Contains(files, f => f.StartsWith(ledger, StringComparison.Ordinal));
        var offences = files.Where(f => !f.StartsWith(ledger, StringComparison.Ordinal))
            .SelectMany(f => Offences(File.ReadAllText(f)).Select(o => $"{Path.GetRelativePath(api, f)}: {o}"))
            .ToList();
        Assert.True(offences.Count == 0, string.Join('\n', offences));
    }

    [Theory]
    [InlineData("db.WalletTransactions.Add(grant);")]
    [InlineData("db.Consumptions.AddRange(rows);")]
    [InlineData("db.WalletTransactions.Where(t => t.Id == id).ExecuteUpdateAsync(s => s.SetProperty(t => t.Status, \"failed\"));")]
    [InlineData("\"UPDATE wallet_transactions SET remaining_amount_cents = 0\"")]
    [InlineData("\"insert into wallet_transaction_consumptions (id) values ($1)\"")]
    [InlineData("INSERT INTO wallet_balance_changes (wallet_id, seq) SELECT * FROM u")]
    [InlineData("UPDATE wallets SET balance_cents = 0 WHERE id = $1")]
    [InlineData("status = 'terminated', consumed_amount_cents = 0")]
    [InlineData("purchase.SettledAt = now;")]
    [InlineData("wallet.BalanceCents += 100;")]
    [InlineData("grant.RemainingAmountCents -= take;")]
    [InlineData("SELECT pg_advisory_xact_lock(hashtextextended(customer_id::text, 0))")]
    public void The_check_finds_each_kind_of_write(string line) => Assert.NotEmpty(Offences(line));

    [Theory]
    [InlineData("if (wallet.BalanceCents == 0) return null;")]
    [InlineData("db.WalletTransactions.Where(t => t.Status == TxStatus.Pending).SumAsync(t => t.AmountCents)")]
    [InlineData("SELECT pg_try_advisory_xact_lock(hashtextextended({lockName}, 0))")]
    [InlineData("SELECT w.balance_cents, w.consumed_amount_cents FROM wallets w WHERE w.balance_cents > 0")]
    public void The_check_lets_reads_and_other_locks_pass(string line) => Assert.Empty(Offences(line));

    private static IEnumerable<string> Offences(string source) =>
        source.Split('\n').Select((line, i) => (Line: line.Trim(), Number: i + 1))
            .SelectMany(l => Rules.Where(r => r.Pattern.IsMatch(l.Line)).Select(r => $"line {l.Number} {r.Rule}: {l.Line}"));

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (Directory.Exists(Path.Combine(dir.FullName, "src", "Wallets.Api"))) return dir.FullName;
        throw new DirectoryNotFoundException("src/Wallets.Api not found above the test binaries");
    }

    [GeneratedRegex(@"\b(WalletTransactions|Consumptions)\s*\.\s*(Add|AddRange|Update|UpdateRange|Remove|RemoveRange|Attach)\b|\bWalletTransactions\b.*\bExecute(Update|Delete)")]
    private static partial Regex EfWrite();

    [GeneratedRegex(@"\b(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+(wallet_transaction(s|_consumptions)|wallet_balance_changes)\b", RegexOptions.IgnoreCase)]
    private static partial Regex SqlWrite();

    // An assignment in a SET list (after SET, a comma, or at the start of a continued line), not a comparison.
    [GeneratedRegex(@"(\bSET\s+|,\s*|^)(\w+\.)?(balance_cents|consumed_amount_cents|balance_seq)\s*=(?!=)", RegexOptions.IgnoreCase)]
    private static partial Regex SqlBalanceSet();

    [GeneratedRegex(@"\.(RemainingAmountCents|SettledAt|FailedAt|BalanceCents|ConsumedAmountCents|BalanceSeq)\s*(=|\+=|-=)(?!=)")]
    private static partial Regex FieldEdit();

    [GeneratedRegex(@"hashtextextended\(\s*(\w+\.)?(customer_?id|c)\b", RegexOptions.IgnoreCase)]
    private static partial Regex CustomerLockKey();
}
