namespace Wallets.Api.Http;

/// <summary>
/// Documented request size limits (DESIGN.md 24): a body holds at most 1 MB, 10 MB on `/events/batch`. A declared
/// Content-Length over the limit is answered 413 before anything is read; a chunked body is counted as it streams
/// and refused at the first byte past the limit, so no request makes the process hold more than its limit. The limit
/// is also given to the server (Kestrel refuses such bodies itself, below its own 30 MB default).
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

    public static void UseBodyLimits(this WebApplication app) => app.Use(async (context, next) =>
    {
        var limit = For(context.Request.Path);
        if (context.Request.ContentLength > limit)
        {
            await RefuseAsync(context, limit);
            return;
        }
        if (context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
            feature.MaxRequestBodySize = limit;
        context.Request.Body = new LimitedStream(context.Request.Body, limit);
        await next(context);
    });

    /// <summary>Answers 413 and closes the connection, so the unread rest of the body is not waited for.</summary>
    public static async Task RefuseAsync(HttpContext context, long limit)
    {
        context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
        context.Response.Headers.Connection = "close";
        await context.Response.WriteAsJsonAsync(TooLargeBody(limit));
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
