using Wallets.Api.Data;
using Wallets.Api.Features.Taxes;
using Wallets.Api.Http;

namespace Wallets.Api.Features.AddOns;

public sealed class AddOnInput : Input
{
    public string? Name { get; init; }
    public string? Code { get; init; }
    public string? InvoiceDisplayName { get; init; }
    public string? Description { get; init; }
    public long? AmountCents { get; init; }
    public string? AmountCurrency { get; init; }
    public List<string?>? TaxCodes { get; init; }
}

public sealed record AddOnRequest(AddOnInput AddOn);

public sealed record AddOnEnvelope(AddOnView AddOn);

public sealed record AddOnsPage(IReadOnlyList<AddOnView> AddOns, PageMeta Meta);

/// <summary>Lago's `AddOnObject`.</summary>
public sealed record AddOnView(
    Guid LagoId,
    string Name,
    string? InvoiceDisplayName,
    string Code,
    long AmountCents,
    string AmountCurrency,
    string? Description,
    DateTimeOffset CreatedAt,
    IReadOnlyList<TaxView> Taxes)
{
    public static AddOnView From(AddOn a) => new(
        a.Id, a.Name, a.InvoiceDisplayName, a.Code, a.AmountCents, a.AmountCurrency, a.Description, a.CreatedAt, TaxView.Of(a.AppliedTaxes));
}
