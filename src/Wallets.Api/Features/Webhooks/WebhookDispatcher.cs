using System.Net.Http.Headers;
using System.Threading.Channels;

namespace Wallets.Api.Features.Webhooks;

/// <summary>
/// Delivers the outbox: claims due rows in batches (safe with several processes), posts each with Lago's headers,
/// and records the outcomes in batches. Each endpoint holds at most MaxInFlightPerEndpoint of the MaxInFlight slots,
/// so a slow or dead one delays no other. An idle dispatcher looks again every PollInterval.
/// </summary>
public sealed class WebhookDispatcher(
    WebhookDeliveries deliveries, WebhookSigningKeys keys, WebhookSettings settings, IHttpClientFactory http,
    TimeProvider clock, ILogger<WebhookDispatcher> logger) : BackgroundService
{
    public const string HttpClientName = "webhooks";

    // Outcomes are written in batches: a statement per delivery would cost the database more than the delivery.
    private static readonly TimeSpan RecordDelay = TimeSpan.FromMilliseconds(50);

    private readonly HttpClient _client = http.CreateClient(HttpClientName);
    private readonly Dictionary<Guid, int> _inFlight = [];
    private readonly Channel<DeliveryOutcome> _outcomes = Channel.CreateUnbounded<DeliveryOutcome>(new() { SingleReader = true });
    private volatile TaskCompletionSource _wake = NewWake();
    private int _total;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (await SignerAsync(stoppingToken) is not { } signer) return;
        var recorder = RecordLoopAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // Woken when half the slots of a full endpoint (or of the process) free up, so claims come in batches.
                _wake = NewWake();
                var want = Math.Min(settings.MaxInFlight - Volatile.Read(ref _total), settings.BatchSize);
                var claimed = want <= 0 ? [] : await deliveries.ClaimAsync(want, settings.MaxInFlightPerEndpoint,
                    BusyEndpoints(), clock.GetUtcNow(), settings.ClaimLease, stoppingToken);
                foreach (var webhook in claimed) Start(webhook, signer, stoppingToken);
                // A full batch means more may be due at once; otherwise wait for new rows, a retry's time, or free slots.
                if (want > 0 && claimed.Count == want) continue;
                await Task.WhenAny(_wake.Task, Task.Delay(settings.PollInterval, stoppingToken));
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                logger.LogError(e, "Webhook dispatch failed; trying again in {Delay}", settings.PollInterval);
                await Task.Delay(settings.PollInterval, CancellationToken.None);
            }
        }
        _outcomes.Writer.TryComplete();
        await recorder;
    }

    /// <summary>The signer, once the key pair can be read (the database may not answer yet); null when stopping first.</summary>
    private async Task<WebhookSigner?> SignerAsync(CancellationToken stoppingToken)
    {
        while (true)
        {
            try
            {
                return new WebhookSigner(settings.Issuer ?? "", (await keys.GetAsync(stoppingToken)).PrivateKeyPem);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return null;
            }
            catch (Exception e)
            {
                logger.LogError(e, "The webhook signing key could not be loaded; trying again in 5 s");
                try { await Task.Delay(TimeSpan.FromSeconds(5), stoppingToken); } catch (OperationCanceledException) { return null; }
            }
        }
    }

    private Dictionary<Guid, int> BusyEndpoints()
    {
        lock (_inFlight) return _inFlight.ToDictionary(e => e.Key, e => settings.MaxInFlightPerEndpoint - e.Value);
    }

    private void Start(ClaimedWebhook webhook, WebhookSigner signer, CancellationToken stoppingToken)
    {
        lock (_inFlight) _inFlight[webhook.EndpointId] = _inFlight.GetValueOrDefault(webhook.EndpointId) + 1;
        Interlocked.Increment(ref _total);
        _ = Task.Run(async () =>
        {
            try
            {
                var outcome = await SendAsync(webhook, signer, stoppingToken);
                if (outcome is not null) _outcomes.Writer.TryWrite(outcome);
            }
            finally
            {
                int left;
                lock (_inFlight)
                    if ((left = --_inFlight[webhook.EndpointId]) == 0) _inFlight.Remove(webhook.EndpointId);
                if (Interlocked.Decrement(ref _total) == settings.MaxInFlight / 2 || left == settings.MaxInFlightPerEndpoint / 2)
                    _wake.TrySetResult();
            }
        }, CancellationToken.None);
    }

    /// <summary>One attempt; null when the process is stopping (the lease brings the row back).</summary>
    private async Task<DeliveryOutcome?> SendAsync(ClaimedWebhook webhook, WebhookSigner signer, CancellationToken stoppingToken)
    {
        int? status = null;
        string? error;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, webhook.Url) { Content = new ByteArrayContent(webhook.Payload) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.Add("X-Lago-Signature", signer.Sign(webhook.SignatureAlgo, webhook.Payload, webhook.HmacKey));
            request.Headers.Add("X-Lago-Signature-Algorithm", webhook.SignatureAlgo);
            request.Headers.Add("X-Lago-Unique-Key", webhook.Id.ToString());
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            timeout.CancelAfter(settings.Timeout);
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode) return Outcome(webhook, true, status, null);
            error = $"HTTP {status}: {Truncate(await response.Content.ReadAsStringAsync(timeout.Token))}";
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return null;
        }
        catch (OperationCanceledException)
        {
            error = $"timed out after {settings.Timeout.TotalSeconds:0.###} s";
        }
        catch (Exception e) when (e is HttpRequestException or IOException or InvalidOperationException or UriFormatException)
        {
            error = Truncate(e.InnerException is { } inner ? $"{e.Message} ({inner.Message})" : e.Message);
        }
        return Outcome(webhook, false, status, error);
    }

    private DeliveryOutcome Outcome(ClaimedWebhook webhook, bool succeeded, int? status, string? error)
    {
        var now = clock.GetUtcNow();
        return new DeliveryOutcome(webhook, succeeded, status, error, now, succeeded ? null : settings.NextAttempt(webhook.Attempts + 1, webhook.CreatedAt, now));
    }

    private static TaskCompletionSource NewWake() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static string Truncate(string text) => text.Length <= 500 ? text : text[..500];

    /// <summary>Writes outcomes as they come: after the first, it waits RecordDelay for more, then records all waiting in one statement.</summary>
    private async Task RecordLoopAsync(CancellationToken stoppingToken)
    {
        var batch = new List<DeliveryOutcome>();
        while (await _outcomes.Reader.WaitToReadAsync(CancellationToken.None))
        {
            if (!stoppingToken.IsCancellationRequested) await Task.Delay(RecordDelay, CancellationToken.None);
            while (batch.Count < 2000 && _outcomes.Reader.TryRead(out var outcome)) batch.Add(outcome);
            try
            {
                await deliveries.RecordAsync(batch, CancellationToken.None);
            }
            catch (Exception e)
            {
                // Unrecorded rows stay leased and are sent again when the lease ends: at least once, never lost.
                logger.LogError(e, "Recording {Count} webhook deliveries failed", batch.Count);
                if (!stoppingToken.IsCancellationRequested) await Task.Delay(settings.PollInterval, CancellationToken.None);
            }
            batch.Clear();
        }
    }
}
