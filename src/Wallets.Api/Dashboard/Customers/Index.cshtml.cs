using Wallets.Api.Data;
using Wallets.Api.Features.Customers;
using Wallets.Api.Http;

namespace Wallets.Api.Dashboard.Customers;

public sealed class IndexModel(CustomerReads customers) : DashboardPage
{
    public string? SearchTerm { get; private set; }

    public Page<Customer> Customers { get; private set; } = null!;

    public async Task OnGetAsync(CancellationToken ct)
    {
        SearchTerm = Text(Query("search_term"));
        Customers = await customers.PageAsync(PageFromQuery(), SearchTerm, ct);
    }
}
