using Microsoft.EntityFrameworkCore;
using Wallets.Api.Data;
using Wallets.Api.Http;
using Wallets.Api.Http.OpenApi;

namespace Wallets.Api.Features.Customers;

public static class CustomerEndpoints
{
    public static RouteGroupBuilder MapCustomerEndpoints(this RouteGroupBuilder api)
    {
        var customers = api.MapGroup("/customers").WithTags("Customers");
        customers.MapPost("/", CreateCustomer).WithName("createCustomer").ProducesLagoErrors(404).Accepts<CustomerRequest>("application/json").Produces<CustomerEnvelope>();
        customers.MapGet("/", FindAllCustomers).WithName("findAllCustomers")
            .WithQuery("search_term", "Part of the external id, name, email or legal name.").Produces<CustomersPage>();
        customers.MapGet("/{external_customer_id}", FindCustomer).WithName("findCustomer").Produces<CustomerEnvelope>();
        customers.MapDelete("/{external_customer_id}", DestroyCustomer).WithName("destroyCustomer").Produces<CustomerEnvelope>();
        return api;
    }

    public sealed record CustomerRequest(CustomerInput Customer);

    /// <summary>Creates a customer, or updates the one with that `external_id` (an upsert, as Lago).</summary>
    private static async Task<IResult> CreateCustomer(HttpRequest request, CustomerHandler handler, CancellationToken ct)
    {
        var input = await LagoBody.ReadAsync<CustomerInput>(request, "customer");
        if (!input.IsOk) return input.Error!.ToResult();
        return (await handler.UpsertAsync(input.Value!, ct)).ToHttp(c => new CustomerEnvelope(CustomerView.From(c)));
    }

    /// <summary>Lists customers, newest first; `search_term` matches names, external id and e-mail.</summary>
    private static async Task<IResult> FindAllCustomers(HttpRequest request, CustomerReads reads, CancellationToken ct)
    {
        var page = await reads.PageAsync(PageRequest.From(request), request.Query["search_term"].ToString(), ct);
        return Results.Json(new CustomersPage(page.Rows.Select(CustomerView.From).ToList(), page.Meta), LagoJson.Options);
    }

    /// <summary>A customer by its external id.</summary>
    private static async Task<IResult> FindCustomer(string external_customer_id, WalletsDbContext db, CancellationToken ct)
    {
        var customer = await db.Customers.FirstOrDefaultAsync(c => c.ExternalId == external_customer_id, ct);
        return customer is null
            ? LagoError.NotFound("customer").ToResult()
            : Results.Json(new CustomerEnvelope(CustomerView.From(customer)), LagoJson.Options);
    }

    /// <summary>Deletes a customer.</summary>
    private static async Task<IResult> DestroyCustomer(string external_customer_id, CustomerHandler handler, CancellationToken ct) =>
        (await handler.DeleteAsync(external_customer_id, ct)).ToHttp(c => new CustomerEnvelope(CustomerView.From(c)));
}
