namespace Wallets.Api.Data;

public sealed class Organization
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    public int MaxWallets { get; set; } = 6;
    /// <summary>Signs the webhooks of its `hmac` endpoints (base64 HMAC-SHA256 of the body).</summary>
    public required string HmacKey { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public sealed class ApiKey
{
    public Guid Id { get; set; }
    public Guid OrganizationId { get; set; }
    public required string KeyHash { get; set; }
    public string Name { get; set; } = "default";
    public string Prefix { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? LastUsedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
}
