namespace Wallets.Api.Http;

/// <summary>The organization of the current request (or job), set once the API key is known.</summary>
public sealed class Tenant
{
    public Guid OrganizationId { get; set; }
}
