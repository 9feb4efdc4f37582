namespace Wallets.Api.Data;

/// <summary>A fixed-price item billed on one-off invoices. Deleting one is a soft delete (its fees keep it).</summary>
public sealed class AddOn
{
    public Guid Id { get; set; }
    public Guid OrganizationId { get; set; }
    public required string Name { get; set; }
    public required string Code { get; set; }
    public string? InvoiceDisplayName { get; set; }
    public string? Description { get; set; }
    public long AmountCents { get; set; }
    public required string AmountCurrency { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? DeletedAt { get; set; }
    public List<AddOnTax> AppliedTaxes { get; set; } = [];
}

public sealed class AddOnTax : IAppliedTax
{
    public Guid OrganizationId { get; set; }
    public Guid AddOnId { get; set; }
    public Guid TaxId { get; set; }
    public Tax Tax { get; set; } = null!;
    public DateTimeOffset CreatedAt { get; set; }
}
