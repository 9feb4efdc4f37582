using Microsoft.EntityFrameworkCore;
using Wallets.Api.Data;
using Wallets.Api.Http;
using Wallets.Api.Http.OpenApi;

namespace Wallets.Api.Features.AddOns;

public static class AddOnEndpoints
{
    public static RouteGroupBuilder MapAddOnEndpoints(this RouteGroupBuilder api)
    {
        var addOns = api.MapGroup("/add_ons").WithTags("Add-ons");
        addOns.MapPost("/", CreateAddOn).WithName("createAddOn").ProducesLagoErrors(404).Accepts<AddOnRequest>("application/json").Produces<AddOnEnvelope>();
        addOns.MapGet("/", FindAllAddOns).WithName("findAllAddOns").Produces<AddOnsPage>();
        addOns.MapGet("/{code}", FindAddOn).WithName("findAddOn").Produces<AddOnEnvelope>();
        addOns.MapPut("/{code}", UpdateAddOn).WithName("updateAddOn").Accepts<AddOnRequest>("application/json").Produces<AddOnEnvelope>();
        addOns.MapDelete("/{code}", DestroyAddOn).WithName("destroyAddOn").Produces<AddOnEnvelope>();
        return api;
    }

    private static AddOnEnvelope Envelope(AddOn addOn) => new(AddOnView.From(addOn));

    /// <summary>Creates an add-on (a one-off charge for `POST /invoices`).</summary>
    private static async Task<IResult> CreateAddOn(HttpRequest request, AddOnHandler handler, CancellationToken ct)
    {
        var input = await LagoBody.ReadAsync<AddOnInput>(request, "add_on");
        if (!input.IsOk) return input.Error!.ToResult();
        return (await handler.CreateAsync(input.Value!, ct)).ToHttp(Envelope);
    }

    /// <summary>Lists add-ons, newest first.</summary>
    private static async Task<IResult> FindAllAddOns(HttpRequest request, WalletsDbContext db, CancellationToken ct)
    {
        var page = await PageRequest.From(request).ToPageAsync(
            db.AddOns.Include(a => a.AppliedTaxes).AsSplitQuery().OrderByDescending(a => a.CreatedAt).ThenBy(a => a.Id), ct);
        return Results.Json(new AddOnsPage(page.Rows.Select(AddOnView.From).ToList(), page.Meta), LagoJson.Options);
    }

    /// <summary>An add-on by its code.</summary>
    private static async Task<IResult> FindAddOn(string code, WalletsDbContext db, CancellationToken ct)
    {
        var addOn = await db.AddOns.Include(a => a.AppliedTaxes).FirstOrDefaultAsync(a => a.Code == code, ct);
        return addOn is null ? LagoError.NotFound("add_on").ToResult() : Results.Json(Envelope(addOn), LagoJson.Options);
    }

    /// <summary>Updates an add-on; only the keys sent change.</summary>
    private static async Task<IResult> UpdateAddOn(string code, HttpRequest request, AddOnHandler handler, CancellationToken ct)
    {
        var input = await LagoBody.ReadAsync<AddOnInput>(request, "add_on");
        if (!input.IsOk) return input.Error!.ToResult();
        return (await handler.UpdateAsync(code, input.Value!, ct)).ToHttp(Envelope);
    }

    /// <summary>Deletes an add-on.</summary>
    private static async Task<IResult> DestroyAddOn(string code, AddOnHandler handler, CancellationToken ct) =>
        (await handler.DeleteAsync(code, ct)).ToHttp(Envelope);
}
