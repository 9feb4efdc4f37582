namespace Wallets.Domain.Allocation;

/// <summary>
/// Orders Guids as PostgreSQL orders uuid values: byte by byte in RFC 4122 (big-endian) order, which is also the
/// ordinal order of their lowercase "D" strings. Used so C# and <c>ORDER BY id</c> agree on every tie-break.
/// </summary>
public sealed class UuidOrder : IComparer<Guid>
{
    public static UuidOrder Instance { get; } = new();

    private UuidOrder()
    {
    }

    public int Compare(Guid x, Guid y)
    {
        Span<byte> left = stackalloc byte[16];
        Span<byte> right = stackalloc byte[16];
        x.TryWriteBytes(left, bigEndian: true, out _);
        y.TryWriteBytes(right, bigEndian: true, out _);
        return Math.Sign(left.SequenceCompareTo(right));
    }

    /// <summary>Nullable ids (billable metrics) sort with null first, as Ruby sorts nil.to_s == "".</summary>
    public int Compare(Guid? x, Guid? y) => (x, y) switch
    {
        (null, null) => 0,
        (null, _) => -1,
        (_, null) => 1,
        _ => Compare(x.Value, y.Value),
    };
}
