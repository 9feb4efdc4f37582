namespace Wallets.Api.Data;

public sealed class Customer
{
    public Guid Id { get; set; }
    public Guid OrganizationId { get; set; }
    public long SequentialId { get; set; }
    public required string ExternalId { get; set; }
    public string? Name { get; set; }
    public string? Firstname { get; set; }
    public string? Lastname { get; set; }
    public string? Email { get; set; }
    public string? Currency { get; set; }
    public string? Timezone { get; set; }
    public string? Country { get; set; }
    public string? AddressLine1 { get; set; }
    public string? AddressLine2 { get; set; }
    public string? City { get; set; }
    public string? State { get; set; }
    public string? Zipcode { get; set; }
    public string? Phone { get; set; }
    public string? Url { get; set; }
    public string? LegalName { get; set; }
    public string? LegalNumber { get; set; }
    public string? TaxIdentificationNumber { get; set; }
    public int? NetPaymentTerm { get; set; }
    public string AccountType { get; set; } = "customer";
    public string? CustomerType { get; set; }
    public List<CustomerMetadata> Metadata { get; set; } = [];
    public List<CustomerTax> AppliedTaxes { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? DeletedAt { get; set; }
}

public sealed record CustomerMetadata(Guid LagoId, string Key, string Value, bool DisplayInInvoice, DateTimeOffset CreatedAt);
