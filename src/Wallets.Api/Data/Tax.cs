namespace Wallets.Api.Data;

/// <summary>A tax rate in percent. Deleting one removes it from every customer, plan and charge.</summary>
public sealed class Tax
{
    public Guid Id { get; set; }
    public Guid OrganizationId { get; set; }
    public required string Name { get; set; }
    public required string Code { get; set; }
    public string? Description { get; set; }
    public decimal Rate { get; set; }
    public bool AppliedToOrganization { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A tax chosen for one customer, plan or charge (the `tax_codes` of each).</summary>
public interface IAppliedTax
{
    Tax Tax { get; }
}

public sealed class CustomerTax : IAppliedTax
{
    public Guid OrganizationId { get; set; }
    public Guid CustomerId { get; set; }
    public Guid TaxId { get; set; }
    public Tax Tax { get; set; } = null!;
    public DateTimeOffset CreatedAt { get; set; }
}

public sealed class PlanTax : IAppliedTax
{
    public Guid OrganizationId { get; set; }
    public Guid PlanId { get; set; }
    public Guid TaxId { get; set; }
    public Tax Tax { get; set; } = null!;
    public DateTimeOffset CreatedAt { get; set; }
}

public sealed class ChargeTax : IAppliedTax
{
    public Guid OrganizationId { get; set; }
    public Guid ChargeId { get; set; }
    public Guid TaxId { get; set; }
    public Tax Tax { get; set; } = null!;
    public DateTimeOffset CreatedAt { get; set; }
}
