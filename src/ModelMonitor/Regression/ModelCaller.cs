using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace ModelMonitor.Regression;

public sealed record CallResult(
    bool Ok,
    string? Text,
    TimeSpan Latency,
    long? InputTokens,
    long? OutputTokens,
    int Attempts,
    string? Error);

/// One model call with the endpoint's gate, a per-attempt timeout, and retries: 429/503 wait for the
/// server's Retry-After (seconds or HTTP date); other transient failures (5xx, timeouts, connection
/// errors, malformed or truncated bodies) back off exponentially with jitter. After the last attempt the
/// call is a failed call (an error), never a failed assertion. Latency is that of the successful attempt.
public sealed partial class ModelCaller(TimeProvider time, IOptions<RegressionOptions> options, ILogger<ModelCaller> logger)
{
    private readonly RetryOptions _retry = options.Value.Retry;

    public async Task<CallResult> CallAsync(ModelTarget target, IList<ChatMessage> messages, ChatOptions chatOptions, CancellationToken cancellationToken)
    {
        string? error = null;
        for (var attempt = 1; ; attempt++)
        {
            var observation = new CallObservation();
            TimeSpan? retryAfter;
            bool transient;
            using (await target.Gate.EnterAsync(cancellationToken))
            {
                using var timeout = new CancellationTokenSource(target.Timeout, time);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
                ResponseObserver.Current = observation;
                var started = time.GetTimestamp();
                try
                {
                    var response = await target.Client.GetResponseAsync(messages, chatOptions, linked.Token);
                    var latency = time.GetElapsedTime(started);
                    return new CallResult(true, response.Text, latency, response.Usage?.InputTokenCount, response.Usage?.OutputTokenCount, attempt, null);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    throw;
                }
                catch (Exception ex)
                {
                    (transient, error) = Classify(ex, observation, timeout.IsCancellationRequested, target);
                    retryAfter = observation.RetryAfter;
                }
                finally
                {
                    ResponseObserver.Current = null;
                }
            }

            if (!transient || attempt >= _retry.MaxAttempts)
            {
                var final = transient ? $"gave up after {attempt} attempt(s): {error}" : error;
                Log.CallFailed(logger, target.Reference.ToString(), attempt, final);
                return new CallResult(false, null, TimeSpan.Zero, null, null, attempt, final);
            }
            if (retryAfter > TimeSpan.FromSeconds(_retry.MaxRetryAfterSeconds))
            {
                var final = $"{error}; the server asked to retry after {retryAfter.Value.TotalSeconds:0} s, more than Regression:Retry:MaxRetryAfterSeconds ({_retry.MaxRetryAfterSeconds} s)";
                Log.CallFailed(logger, target.Reference.ToString(), attempt, final);
                return new CallResult(false, null, TimeSpan.Zero, null, null, attempt, final);
            }
            var delay = retryAfter ?? Backoff(attempt);
            Log.Retrying(logger, target.Reference.ToString(), attempt, delay.TotalMilliseconds, error);
            if (delay > TimeSpan.Zero)
                await Task.Delay(delay, time, cancellationToken);
        }
    }

    // Exponential, capped, with "equal jitter": half fixed, half random, so retries of many cases spread out.
    private TimeSpan Backoff(int attempt)
    {
        var ceiling = Math.Min(_retry.MaxDelayMs, _retry.BaseDelayMs * Math.Pow(2, attempt - 1));
        return TimeSpan.FromMilliseconds(ceiling / 2 + Random.Shared.NextDouble() * ceiling / 2);
    }

    private static (bool Transient, string Error) Classify(Exception ex, CallObservation observation, bool timedOut, ModelTarget target)
    {
        if (timedOut)
            return (true, $"no answer within {target.Timeout.TotalSeconds:0} s");
        var status = observation.Status;
        if (status is >= 200 and < 300)
            return (true, $"malformed response body ({ex.GetType().Name}: {target.Redact(FirstLine(ex.Message))})");
        if (status >= 300)
            return (ResponseObserver.IsTransient(status), $"HTTP {status}: {target.Redact(FirstLine(ex.Message))}");
        // The SDKs wrap transport failures (their own ClientResultException, status 0) around the real cause.
        for (var inner = ex; inner is not null; inner = inner.InnerException)
            if (inner is HttpRequestException or IOException or SocketException or JsonException)
                return (true, $"no response ({inner.GetType().Name}: {target.Redact(FirstLine(inner.Message))})");
        return (false, $"{ex.GetType().Name}: {target.Redact(FirstLine(ex.Message))}");
    }

    private static string FirstLine(string message)
    {
        var newline = message.IndexOf('\n', StringComparison.Ordinal);
        return (newline < 0 ? message : message[..newline]).Trim();
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Debug, Message = "Calling {Model}: attempt {Attempt} failed, retrying in {DelayMs:0} ms: {Error}")]
        public static partial void Retrying(ILogger logger, string model, int attempt, double delayMs, string? error);

        [LoggerMessage(Level = LogLevel.Debug, Message = "Calling {Model} failed after {Attempts} attempt(s): {Error}")]
        public static partial void CallFailed(ILogger logger, string model, int attempts, string? error);
    }
}
