using Microsoft.AspNetCore.Mvc;
using Wallets.Api.Features.Customers;
using Wallets.Api.Features.Wallets;
using Wallets.Api.Http;

namespace Wallets.Api.Dashboard.Customers;

public sealed class NewModel(CustomerHandler handler, WalletReads reads) : DashboardPage
{
    [BindProperty(Name = "external_id")] public string? ExternalId { get; set; }
    [BindProperty(Name = "name")] public string? Name { get; set; }
    [BindProperty(Name = "email")] public string? Email { get; set; }
    [BindProperty(Name = "currency")] public string? Currency { get; set; }

    protected override IReadOnlyCollection<string> FormFields => ["external_id", "name", "email", "currency"];

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var externalId = Text(ExternalId);
        // The API's POST /customers updates a customer it finds; this form only adds, so an id in use is refused.
        if (externalId is not null && await reads.CustomerIdAsync(externalId, ct) is not null)
        {
            ShowError(LagoError.Validation("external_id", "value_already_exist"));
            return Page();
        }
        var input = new CustomerInput { ExternalId = externalId, Name = Text(Name), Email = Text(Email), Currency = Text(Currency) };
        input.Sent = new HashSet<string> { "external_id", "name", "email", "currency" };
        var result = await handler.UpsertAsync(input, ct);
        if (!result.IsOk)
        {
            ShowError(result.Error!);
            return Page();
        }
        return Redirect($"/customers/{result.Value!.Id}?notice=customer_created");
    }
}
