using System.Globalization;

namespace Wallets.Api.Http;

/// <summary>ISO 8601 date-times as Lago accepts them in bodies (`2022-08-08T00:00:00Z`, with an offset, or a bare date).</summary>
public static class IsoTime
{
    private static readonly string[] Formats =
    [
        "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mmK",
        "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", "yyyy-MM-dd",
    ];

    /// <summary>Parses strictly (no locale formats); a time without a zone is UTC.</summary>
    public static bool TryParse(string? text, out DateTimeOffset value)
    {
        var ok = DateTimeOffset.TryParseExact(text, Formats, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value);
        return ok;
    }
}
