using System.Buffers.Binary;
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

    // Random bytes drawn 512 at a time: one call into the crypto library per 64 ids, not per id.
    [ThreadStatic] private static byte[]? _random;
    [ThreadStatic] private static int _randomUsed;

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

        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteInt64BigEndian(bytes, (ms << 16) | 0x7000 | (uint)counter); // 48-bit milliseconds, version 7, counter
        var random = _random ??= new byte[512];
        if (_randomUsed == 0) RandomNumberGenerator.Fill(random);
        random.AsSpan(_randomUsed, 8).CopyTo(bytes[8..]);
        _randomUsed = (_randomUsed + 8) % random.Length;
        bytes[8] = (byte)(0x80 | (bytes[8] & 0x3F)); // RFC variant
        return new Guid(bytes, bigEndian: true);
    }
}
