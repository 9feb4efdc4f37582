namespace Wallets.Api.Http;

/// <summary>
/// Documented request size limits (DESIGN.md 24): a body holds at most 1 MB, 10 MB on `/events/batch`. A declared
/// Content-Length over the limit is refused before anything is parsed; a chunked body is counted as it streams and
/// refused at the first byte past the limit, so no request makes the process hold more than its limit. The rest of a
/// refused body is read into a small buffer and dropped (see <see cref="DrainBytes"/>), so the client gets the 413.
/// </summary>
public static class BodyLimits
{
    public const long DefaultBytes = 1024 * 1024;
    public const long BatchBytes = 10 * 1024 * 1024;

    /// <summary>The path whose bodies may be larger: a batch of 100 events.</summary>
    private const string BatchPath = "/api/v1/events/batch";

    public static long For(PathString path) =>
        path.Equals(BatchPath, StringComparison.OrdinalIgnoreCase) || path.Equals(BatchPath + "/", StringComparison.OrdinalIgnoreCase) ? BatchBytes : DefaultBytes;

    /// <summary>Lago's shape for a status without a code: `{"status":413,"error":"Payload Too Large"}`.</summary>
    public static object TooLargeBody(long limit) => new { status = 413, error = "Payload Too Large", message = $"the request body is limited to {limit} bytes" };

    /// <summary>
    /// What is read and thrown away of a refused body so that a client that sends it whole before reading the answer
    /// (most do, without `Expect: 100-continue`) gets the 413 rather than a reset connection. Past it, the connection closes.
    /// </summary>
    public const long DrainBytes = 64 * 1024 * 1024;
    private static readonly TimeSpan DrainFor = TimeSpan.FromSeconds(10);

    public static void UseBodyLimits(this WebApplication app) => app.Use(async (context, next) =>
    {
        var limit = For(context.Request.Path);
        // The server's own limit is raised to the drain allowance: the limit below is ours, and the drain reads past it.
        if (context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
            feature.MaxRequestBodySize = DrainBytes;
        var original = context.Request.Body;
        context.Items[typeof(BodyLimits)] = original;
        if (context.Request.ContentLength > limit)
        {
            await RefuseAsync(context, limit, bodyStarted: false);
            return;
        }
        context.Request.Body = new LimitedStream(original, limit);
        await next(context);
    });

    /// <summary>Answers 413, after reading and dropping the rest of the body (up to the drain allowance; otherwise it closes).</summary>
    public static async Task RefuseAsync(HttpContext context, long limit, bool bodyStarted)
    {
        // A client still waiting for `100 Continue` has sent nothing and will send nothing: nothing to drain.
        var waiting = !bodyStarted && context.Request.Headers.Expect.ToString().Contains("100-continue", StringComparison.OrdinalIgnoreCase);
        var drained = waiting || context.Items[typeof(BodyLimits)] is Stream body && await DrainAsync(body, context.Request.ContentLength);
        context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
        if (!drained) context.Response.Headers.Connection = "close";
        await context.Response.WriteAsJsonAsync(TooLargeBody(limit));
    }

    /// <summary>Reads the body to its end into a small buffer, within the drain allowance in bytes and time.</summary>
    private static async Task<bool> DrainAsync(Stream body, long? declared)
    {
        if (declared > DrainBytes) return false;
        var buffer = new byte[64 * 1024];
        using var timeout = new CancellationTokenSource(DrainFor);
        long total = 0;
        try
        {
            int read;
            while ((read = await body.ReadAsync(buffer, timeout.Token)) > 0)
                if ((total += read) > DrainBytes) return false;
            return true;
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or BadHttpRequestException)
        {
            return false;
        }
    }

    /// <summary>Counts what is read and throws past the limit, as Kestrel does (a 413 for the error handler).</summary>
    private sealed class LimitedStream(Stream inner, long limit) : Stream
    {
        private long _read;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) =>
            Count(await inner.ReadAsync(buffer, ct));

        public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
            Count(await inner.ReadAsync(buffer.AsMemory(offset, count), ct));

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        private int Count(int read)
        {
            _read += read;
            if (_read > limit) throw new BadHttpRequestException("the request body is too large", StatusCodes.Status413PayloadTooLarge);
            return read;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _read; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
