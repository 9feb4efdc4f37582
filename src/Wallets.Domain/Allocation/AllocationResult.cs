namespace Wallets.Domain.Allocation;

/// <summary>The outcome of an allocation: a value, or a Lago error code. Business failures are values, never exceptions.</summary>
public sealed record AllocationResult<T>
{
    private readonly T? _value;

    private AllocationResult(T? value, string? error)
    {
        _value = value;
        Error = error;
    }

    /// <summary>The Lago error code (see <see cref="AllocationErrors"/>), or null on success.</summary>
    public string? Error { get; }

    public bool IsSuccess => Error is null;

    /// <summary>The result; reading it after a failure is a programming error.</summary>
    public T Value => IsSuccess ? _value! : throw new InvalidOperationException($"Allocation failed with '{Error}'.");

    public static AllocationResult<T> Success(T value) => new(value, null);

    public static AllocationResult<T> Failure(string error)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(error);
        return new AllocationResult<T>(default, error);
    }
}
