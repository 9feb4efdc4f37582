using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Wallets.Api.Data;
using Wallets.Api.Tests.Infrastructure;

namespace Wallets.Api.Tests.Foundation;

/// <summary>
/// The batching under the event and ledger writers: batches grow with the load, a refused request fails alone, and a
/// writer keeps its connection.
/// </summary>
public sealed class GroupCommitTests : IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource = NpgsqlDataSource.Create(TestDatabase.ServerConnectionString);

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    [Fact]
    public async Task Requests_queued_while_a_batch_runs_form_the_next_batch_and_each_gets_its_own_result()
    {
        var batches = new List<List<int>>();
        var firstStarted = new TaskCompletionSource();
        var releaseFirst = new TaskCompletionSource();
        await using var commit = new GroupCommit<int, string>(_dataSource, maxBatch: 4, writers: 1, async (_, requests) =>
        {
            lock (batches) batches.Add(requests);
            if (requests.Contains(0))
            {
                firstStarted.SetResult();
                await releaseFirst.Task;
            }
            return requests.Select(r => $"r{r}").ToArray();
        }, NullLogger.Instance);

        var first = commit.SubmitAsync(0, default);
        await firstStarted.Task;
        // Ten more arrive while the first batch is applied: they wait, and are then taken four at a time.
        var rest = Enumerable.Range(1, 10).Select(i => commit.SubmitAsync(i, default)).ToArray();
        releaseFirst.SetResult();

        Assert.Equal("r0", await first);
        Assert.Equal(Enumerable.Range(1, 10).Select(i => $"r{i}"), await Task.WhenAll(rest));
        Assert.Equal([[0], [1, 2, 3, 4], [5, 6, 7, 8], [9, 10]], batches);
    }

    [Fact]
    public async Task A_failing_batch_is_applied_again_one_request_at_a_time_so_only_the_refused_request_fails()
    {
        var batches = new List<List<int>>();
        var started = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        await using var commit = new GroupCommit<int, int>(_dataSource, maxBatch: 10, writers: 1, async (_, requests) =>
        {
            lock (batches) batches.Add(requests);
            if (requests.Contains(-1))
            {
                started.SetResult();
                await release.Task;
            }
            // Like a statement PostgreSQL refuses: nothing of the batch is applied.
            if (requests.Contains(13)) throw new InvalidOperationException("13 is refused");
            return requests.Select(r => r * 2).ToArray();
        }, NullLogger.Instance);

        var blocker = commit.SubmitAsync(-1, default);
        await started.Task;
        var sends = new[] { 1, 13, 2 }.Select(i => commit.SubmitAsync(i, default)).ToArray();
        release.SetResult();
        await blocker;

        Assert.Equal(2, await sends[0]);
        Assert.Equal("13 is refused", (await Assert.ThrowsAsync<InvalidOperationException>(() => sends[1])).Message);
        Assert.Equal(4, await sends[2]);
        Assert.Equal([[-1], [1, 13, 2], [1], [13], [2]], batches);
    }

    [Fact]
    public async Task A_writer_keeps_its_connection_between_batches_and_opens_a_new_one_after_a_failure()
    {
        // Without pooling, every connection opened is a new server process, so the process id tells them apart.
        await using var unpooled = NpgsqlDataSource.Create(TestDatabase.ServerConnectionString + ";Pooling=false");
        var backends = new List<int>();
        await using var commit = new GroupCommit<int, int>(unpooled, maxBatch: 10, writers: 1, async (connection, requests) =>
        {
            await using var command = new NpgsqlCommand("SELECT pg_backend_pid()", connection);
            backends.Add((int)(await command.ExecuteScalarAsync())!);
            if (requests.Contains(13)) throw new InvalidOperationException("13 is refused");
            return [.. requests];
        }, NullLogger.Instance);

        Assert.Equal(1, await commit.SubmitAsync(1, default));
        Assert.Equal(2, await commit.SubmitAsync(2, default));
        await Assert.ThrowsAsync<InvalidOperationException>(() => commit.SubmitAsync(13, default));
        Assert.Equal(3, await commit.SubmitAsync(3, default));
        Assert.Equal(4, await commit.SubmitAsync(4, default));

        Assert.Equal([backends[0], backends[0], backends[0], backends[3], backends[3]], backends);
        Assert.NotEqual(backends[0], backends[3]);
    }
}
