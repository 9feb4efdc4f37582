using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Wallets.Api.Tests.Infrastructure;

namespace Wallets.Api.Tests.Webhooks;

/// <summary>Checks signatures as a receiver would: the JWT with the public key the API publishes, HMAC with the organization's key.</summary>
public static class WebhookSignatures
{
    public static async Task<RSA> PublicKeyAsync(HttpClient client)
    {
        var base64 = (string)(await client.GetJsonAsync("/api/v1/webhooks/json_public_key")).Ok()["webhook"]!["public_key"]!;
        var rsa = RSA.Create();
        rsa.ImportFromPem(Encoding.ASCII.GetString(Convert.FromBase64String(base64.Replace("\n", ""))));
        return rsa;
    }

    /// <summary>An RS256 JWT, valid for this key, issued by <paramref name="issuer"/>, whose `data` is exactly the body.</summary>
    public static async Task AssertJwtAsync(Received webhook, RSA publicKey, string issuer)
    {
        Assert.Equal("jwt", webhook.Algorithm);
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(webhook.Signature, new TokenValidationParameters
        {
            IssuerSigningKey = new RsaSecurityKey(publicKey), ValidIssuer = issuer, ValidateAudience = false, ValidateLifetime = false,
            RequireExpirationTime = false, ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
        });
        Assert.True(result.IsValid, $"JWT rejected: {result.Exception?.Message}");
        Assert.Equal(webhook.Body, (string)result.Claims["data"]);
    }

    public static void AssertHmac(Received webhook, string hmacKey)
    {
        Assert.Equal("hmac", webhook.Algorithm);
        var expected = Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(hmacKey), Encoding.UTF8.GetBytes(webhook.Body)));
        Assert.Equal(expected, webhook.Signature);
    }
}
