using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Wallets.Api.Jobs;

namespace Wallets.Api.Tests.Infrastructure;

/// <summary>
/// Sums the counters of one test server's `Wallets` meter while it lives (each test class's server has meters of its
/// own; tests of a class run one at a time, so a test sees its own counts).
/// </summary>
public sealed class MeterCounters : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _sums = new();

    public MeterCounters(IMeterFactory server)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == JobMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, server)) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => _sums.AddOrUpdate(instrument.Name, value, (_, sum) => sum + value));
        _listener.Start();
    }

    public long this[string name] => _sums.GetValueOrDefault(name);

    public void Dispose() => _listener.Dispose();
}
