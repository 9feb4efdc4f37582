using System.Security.Cryptography;

namespace Wallets.Api.Data;

/// <summary>
/// UUIDv7 ids that increase strictly within this process (RFC 9562, method 1: a 12-bit counter inside the
/// millisecond), so rows made in one operation — a debit's consumption rows, say — sort by id in the order made.
/// </summary>
public static class Ids
{
    private static readonly Lock Gate = new();
    private static long _lastMs;
    private static int _counter;

    public static Guid New()
    {
        long ms;
        int counter;
        lock (Gate)
        {
            ms = Math.Max(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), _lastMs);
            if (ms == _lastMs && ++_counter > 0xFFF) { ms++; _counter = 0; }
            else if (ms != _lastMs) _counter = 0;
            _lastMs = ms;
            counter = _counter;
        }

        Span<byte> tail = stackalloc byte[8];
        RandomNumberGenerator.Fill(tail);
        tail[0] = (byte)(0x80 | (tail[0] & 0x3F)); // RFC variant
        return Guid.Parse($"{ms:x12}7{counter:x3}{Convert.ToHexStringLower(tail)}");
    }
}
