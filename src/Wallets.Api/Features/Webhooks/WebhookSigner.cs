using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Wallets.Api.Features.Webhooks;

/// <summary>
/// Lago's signatures over the raw body (its UTF-8 bytes, as stored and sent): `jwt` is an RS256 JWT of
/// `{data: body, iss: issuer}`; `hmac` is base64 of HMAC-SHA256 of the body with the organization's key.
/// </summary>
public sealed class WebhookSigner(string issuer, string privateKeyPem)
{
    private static readonly byte[] Header = Encoding.ASCII.GetBytes(Base64Url.EncodeToString("""{"alg":"RS256"}"""u8));
    private static readonly JsonWriterOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    // One RSA object per thread (the key is imported once per thread, never per signature): concurrent signing with a
    // shared instance is not documented as safe. Deliveries are signed on the thread pool, so on every core at once.
    private readonly ThreadLocal<RSA> _rsa = new(() =>
    {
        var rsa = RSA.Create();
        rsa.ImportFromPem(privateKeyPem);
        return rsa;
    });

    [ThreadStatic] private static ArrayBufferWriter<byte>? _buffer;

    public string Issuer => issuer;

    public string Sign(string algorithm, ReadOnlySpan<byte> body, ReadOnlySpan<byte> hmacKey) => algorithm == "hmac" ? Hmac(body, hmacKey) : Jwt(body);

    public static string Hmac(ReadOnlySpan<byte> body, ReadOnlySpan<byte> hmacKey)
    {
        Span<byte> hash = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(hmacKey, body, hash);
        return Convert.ToBase64String(hash);
    }

    /// <summary>`header.claims.signature`, built in one buffer: the claims JSON escapes the body's bytes as they are.</summary>
    public string Jwt(ReadOnlySpan<byte> body)
    {
        var claims = _buffer ??= new ArrayBufferWriter<byte>(4096);
        claims.ResetWrittenCount();
        using (var json = new Utf8JsonWriter(claims, Compact))
        {
            json.WriteStartObject();
            json.WriteString("data"u8, body);
            json.WriteString("iss"u8, issuer);
            json.WriteEndObject();
        }
        var rsa = _rsa.Value!;
        var signatureBytes = rsa.KeySize / 8;
        var token = ArrayPool<byte>.Shared.Rent(
            Header.Length + 1 + Base64Url.GetEncodedLength(claims.WrittenCount) + 1 + Base64Url.GetEncodedLength(signatureBytes));
        try
        {
            Header.CopyTo(token, 0);
            var at = Header.Length;
            token[at++] = (byte)'.';
            at += Base64Url.EncodeToUtf8(claims.WrittenSpan, token.AsSpan(at));
            Span<byte> signature = stackalloc byte[signatureBytes];
            if (!rsa.TrySignData(token.AsSpan(0, at), signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1, out var signed))
                throw new CryptographicException("The webhook signature did not fit its buffer.");
            token[at++] = (byte)'.';
            at += Base64Url.EncodeToUtf8(signature[..signed], token.AsSpan(at));
            return Encoding.ASCII.GetString(token, 0, at);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(token);
        }
    }
}
