using System.Text.Json.Serialization;
using Wallets.Api.Data;
using Wallets.Api.Http;

namespace Wallets.Api.Features.Taxes;

public sealed class TaxInput : Input
{
    public string? Name { get; init; }
    public string? Code { get; init; }
    public decimal? Rate { get; init; }
    public string? Description { get; init; }
    public bool? AppliedToOrganization { get; init; }
}

public sealed record TaxRequest(TaxInput Tax);

public sealed record TaxEnvelope(TaxView Tax);

public sealed record TaxesPage(IReadOnlyList<TaxView> Taxes, PageMeta Meta);

/// <summary>Lago's `TaxObject`; the rate is a JSON number, as Lago renders it.</summary>
public sealed record TaxView(
    Guid LagoId,
    string Name,
    string Code,
    [property: JsonConverter(typeof(DecimalAsNumber))] decimal Rate,
    string? Description,
    bool AppliedToOrganization,
    DateTimeOffset CreatedAt)
{
    public static TaxView From(Tax t) => new(t.Id, t.Name, t.Code, t.Rate, t.Description, t.AppliedToOrganization, t.CreatedAt);

    public static IReadOnlyList<TaxView> Of(IEnumerable<IAppliedTax> applied) =>
        applied.Select(a => From(a.Tax)).OrderBy(t => t.Code, StringComparer.Ordinal).ToList();
}
