using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Wallets.Api.Features.Webhooks;

/// <summary>
/// Lago's signatures over the raw body: `jwt` is an RS256 JWT of `{data: body, iss: issuer}`; `hmac` is base64 of
/// HMAC-SHA256 of the body with the organization's key.
/// </summary>
public sealed class WebhookSigner(string issuer, string privateKeyPem)
{
    private static readonly byte[] Header = Base64Url("""{"alg":"RS256"}"""u8);
    private static readonly JsonWriterOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    // One RSA object per thread: concurrent signing with a shared instance is not documented as safe.
    private readonly ThreadLocal<RSA> _rsa = new(() =>
    {
        var rsa = RSA.Create();
        rsa.ImportFromPem(privateKeyPem);
        return rsa;
    });

    public string Issuer => issuer;

    public string Sign(string algorithm, string body, string hmacKey) => algorithm == "hmac" ? Hmac(body, hmacKey) : Jwt(body);

    public static string Hmac(string body, string hmacKey) =>
        Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(hmacKey), Encoding.UTF8.GetBytes(body)));

    public string Jwt(string body)
    {
        using var claims = new MemoryStream();
        using (var json = new Utf8JsonWriter(claims, Compact))
        {
            json.WriteStartObject();
            json.WriteString("data", body);
            json.WriteString("iss", issuer);
            json.WriteEndObject();
        }
        var signingInput = $"{Encoding.ASCII.GetString(Header)}.{Encoding.ASCII.GetString(Base64Url(claims.ToArray()))}";
        var signature = _rsa.Value!.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return $"{signingInput}.{Encoding.ASCII.GetString(Base64Url(signature))}";
    }

    private static byte[] Base64Url(ReadOnlySpan<byte> data) =>
        Encoding.ASCII.GetBytes(Convert.ToBase64String(data).TrimEnd('=').Replace('+', '-').Replace('/', '_'));
}
