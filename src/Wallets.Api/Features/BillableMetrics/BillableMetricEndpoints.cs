using Microsoft.EntityFrameworkCore;
using Wallets.Api.Data;
using Wallets.Api.Http;

namespace Wallets.Api.Features.BillableMetrics;

public static class BillableMetricEndpoints
{
    public static RouteGroupBuilder MapBillableMetricEndpoints(this RouteGroupBuilder api)
    {
        var metrics = api.MapGroup("/billable_metrics").WithTags("Billable metrics");
        metrics.MapPost("/", CreateBillableMetric).WithName("createBillableMetric")
            .Accepts<BillableMetricRequest>("application/json").Produces<BillableMetricEnvelope>();
        metrics.MapGet("/", FindAllBillableMetrics).WithName("findAllBillableMetrics").Produces<BillableMetricsPage>();
        metrics.MapGet("/{code}", FindBillableMetric).WithName("findBillableMetric").Produces<BillableMetricEnvelope>();
        metrics.MapPut("/{code}", UpdateBillableMetric).WithName("updateBillableMetric")
            .Accepts<BillableMetricRequest>("application/json").Produces<BillableMetricEnvelope>();
        metrics.MapDelete("/{code}", DestroyBillableMetric).WithName("destroyBillableMetric").Produces<BillableMetricEnvelope>();
        return api;
    }

    /// <summary>Creates a billable metric: what events measure and how they aggregate.</summary>
    private static async Task<IResult> CreateBillableMetric(HttpRequest request, BillableMetricHandler handler, CancellationToken ct)
    {
        var input = await LagoBody.ReadAsync<BillableMetricInput>(request, "billable_metric");
        if (!input.IsOk) return input.Error!.ToResult();
        return (await handler.CreateAsync(input.Value!, ct)).ToHttp(m => new BillableMetricEnvelope(BillableMetricView.From(m, MetricUsage.None)));
    }

    /// <summary>Lists billable metrics, newest first.</summary>
    private static async Task<IResult> FindAllBillableMetrics(HttpRequest request, WalletsDbContext db, CancellationToken ct)
    {
        var page = await PageRequest.From(request).ToPageAsync(db.BillableMetrics.OrderByDescending(m => m.CreatedAt).ThenBy(m => m.Id), ct);
        var usage = await BillableMetricHandler.UsageAsync(db, page.Rows.Select(m => m.Id).ToList(), ct);
        var views = page.Rows.Select(m => BillableMetricView.From(m, usage.GetValueOrDefault(m.Id, MetricUsage.None))).ToList();
        return Results.Json(new BillableMetricsPage(views, page.Meta), LagoJson.Options);
    }

    /// <summary>A billable metric by its code.</summary>
    private static async Task<IResult> FindBillableMetric(string code, WalletsDbContext db, CancellationToken ct)
    {
        var metric = await db.BillableMetrics.FirstOrDefaultAsync(m => m.Code == code, ct);
        return metric is null ? LagoError.NotFound("billable_metric").ToResult() : Results.Json(await EnvelopeAsync(db, metric, ct), LagoJson.Options);
    }

    /// <summary>Updates a billable metric; only the keys sent change.</summary>
    private static async Task<IResult> UpdateBillableMetric(string code, HttpRequest request, BillableMetricHandler handler, WalletsDbContext db, CancellationToken ct)
    {
        var input = await LagoBody.ReadAsync<BillableMetricInput>(request, "billable_metric");
        if (!input.IsOk) return input.Error!.ToResult();
        var result = await handler.UpdateAsync(code, input.Value!, ct);
        return result.IsOk ? Results.Json(await EnvelopeAsync(db, result.Value!, ct), LagoJson.Options) : result.Error!.ToResult();
    }

    /// <summary>Deletes a billable metric.</summary>
    private static async Task<IResult> DestroyBillableMetric(string code, BillableMetricHandler handler, CancellationToken ct) =>
        (await handler.DeleteAsync(code, ct)).ToHttp(m => new BillableMetricEnvelope(BillableMetricView.From(m, MetricUsage.None)));

    private static async Task<BillableMetricEnvelope> EnvelopeAsync(WalletsDbContext db, BillableMetric metric, CancellationToken ct)
    {
        var usage = await BillableMetricHandler.UsageAsync(db, [metric.Id], ct);
        return new BillableMetricEnvelope(BillableMetricView.From(metric, usage.GetValueOrDefault(metric.Id, MetricUsage.None)));
    }
}
