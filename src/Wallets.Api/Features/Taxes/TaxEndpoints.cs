using Microsoft.EntityFrameworkCore;
using Wallets.Api.Data;
using Wallets.Api.Http;

namespace Wallets.Api.Features.Taxes;

public static class TaxEndpoints
{
    public static RouteGroupBuilder MapTaxEndpoints(this RouteGroupBuilder api)
    {
        var taxes = api.MapGroup("/taxes").WithTags("Taxes");
        taxes.MapPost("/", CreateTax).WithName("createTax").Accepts<TaxRequest>("application/json").Produces<TaxEnvelope>();
        taxes.MapGet("/", FindAllTaxes).WithName("findAllTaxes").Produces<TaxesPage>();
        taxes.MapGet("/{code}", FindTax).WithName("findTax").Produces<TaxEnvelope>();
        taxes.MapPut("/{code}", UpdateTax).WithName("updateTax").Accepts<TaxRequest>("application/json").Produces<TaxEnvelope>();
        taxes.MapDelete("/{code}", DestroyTax).WithName("destroyTax").Produces<TaxEnvelope>();
        return api;
    }

    private static TaxEnvelope Envelope(Tax tax) => new(TaxView.From(tax));

    /// <summary>Creates a tax.</summary>
    private static async Task<IResult> CreateTax(HttpRequest request, TaxHandler handler, CancellationToken ct)
    {
        var input = await LagoBody.ReadAsync<TaxInput>(request, "tax");
        if (!input.IsOk) return input.Error!.ToResult();
        return (await handler.CreateAsync(input.Value!, ct)).ToHttp(Envelope);
    }

    /// <summary>Lists taxes, newest first.</summary>
    private static async Task<IResult> FindAllTaxes(HttpRequest request, WalletsDbContext db, CancellationToken ct)
    {
        var page = await PageRequest.From(request).ToPageAsync(db.Taxes.OrderByDescending(t => t.CreatedAt).ThenBy(t => t.Id), ct);
        return Results.Json(new TaxesPage(page.Rows.Select(TaxView.From).ToList(), page.Meta), LagoJson.Options);
    }

    /// <summary>A tax by its code.</summary>
    private static async Task<IResult> FindTax(string code, WalletsDbContext db, CancellationToken ct)
    {
        var tax = await db.Taxes.FirstOrDefaultAsync(t => t.Code == code, ct);
        return tax is null ? LagoError.NotFound("tax").ToResult() : Results.Json(Envelope(tax), LagoJson.Options);
    }

    /// <summary>Updates a tax; only the keys sent change.</summary>
    private static async Task<IResult> UpdateTax(string code, HttpRequest request, TaxHandler handler, CancellationToken ct)
    {
        var input = await LagoBody.ReadAsync<TaxInput>(request, "tax");
        if (!input.IsOk) return input.Error!.ToResult();
        return (await handler.UpdateAsync(code, input.Value!, ct)).ToHttp(Envelope);
    }

    /// <summary>Deletes a tax.</summary>
    private static async Task<IResult> DestroyTax(string code, TaxHandler handler, CancellationToken ct) =>
        (await handler.DeleteAsync(code, ct)).ToHttp(Envelope);
}
