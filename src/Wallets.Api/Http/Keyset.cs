using System.Globalization;

namespace Wallets.Api.Http;

/// <summary>
/// A position in a newest-first list (created_at DESC, id): the next slice starts strictly after it, so reading any slice
/// costs the same however old it is, and no count runs over the whole list (the dashboard's long histories).
/// </summary>
public readonly record struct Keyset(DateTimeOffset CreatedAt, Guid Id)
{
    /// <summary>In a URL: the microsecond timestamp and the id, e.g. `1765000000123456-0198…`.</summary>
    public override string ToString() =>
        $"{(CreatedAt.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10}-{Id:N}";

    public static Keyset? Parse(string? text)
    {
        var dash = text?.IndexOf('-') ?? -1;
        if (dash <= 0 || !long.TryParse(text![..dash], NumberStyles.None, CultureInfo.InvariantCulture, out var micros)
            || micros > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds() * 1000 || !Guid.TryParseExact(text[(dash + 1)..], "N", out var id))
            return null;
        return new Keyset(DateTimeOffset.UnixEpoch.AddTicks(micros * 10), id);
    }
}

/// <summary>A slice of a newest-first list, and where the next one starts (null: this was the last).</summary>
public sealed record Slice<T>(IReadOnlyList<T> Rows, Keyset? Next)
{
    public Slice<TOut> Map<TOut>(Func<T, TOut> map) => new(Rows.Select(map).ToList(), Next);
}
