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
    private static readonly string Header = Base64Url.EncodeToString("""{"alg":"RS256"}"""u8);
    private static readonly JsonWriterOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    // One RSA object per thread, the key imported once per thread: concurrent signing with a shared instance is not
    // documented as safe. Deliveries are signed on the thread pool, so on every core at once. The RSA private-key
    // operation is nearly all of a JWT's cost (~0.3 ms of CPU); building the token around it is a few microseconds.
    private readonly ThreadLocal<RSA> _rsa = new(() =>
    {
        var rsa = RSA.Create();
        rsa.ImportFromPem(privateKeyPem);
        return rsa;
    });

    public string Issuer => issuer;

    public string Sign(string algorithm, ReadOnlySpan<byte> body, ReadOnlySpan<byte> hmacKey) => algorithm == "hmac" ? Hmac(body, hmacKey) : Jwt(body);

    public static string Hmac(ReadOnlySpan<byte> body, ReadOnlySpan<byte> hmacKey) => Convert.ToBase64String(HMACSHA256.HashData(hmacKey, body));

    public string Jwt(ReadOnlySpan<byte> body)
    {
        var claims = new ArrayBufferWriter<byte>(body.Length + issuer.Length + 64);
        using (var json = new Utf8JsonWriter(claims, Compact))
        {
            json.WriteStartObject();
            json.WriteString("data"u8, body);
            json.WriteString("iss"u8, issuer);
            json.WriteEndObject();
        }
        var signingInput = $"{Header}.{Base64Url.EncodeToString(claims.WrittenSpan)}";
        var signature = _rsa.Value!.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return $"{signingInput}.{Base64Url.EncodeToString(signature)}";
    }
}
