using System.ClientModel;
using System.ClientModel.Primitives;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Anthropic;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using OpenAI;

namespace ModelMonitor.Regression;

/// Section `Endpoints:<name>`. ApiKey comes from the environment (`Endpoints__<name>__ApiKey`); it is
/// never logged, never put in an exception message or a result.
public sealed class EndpointOptions
{
    public string? Kind { get; set; }
    public string? BaseUrl { get; set; }
    public string? ApiKey { get; set; }
    public int MaxConcurrency { get; set; } = 8;
    public int? RequestsPerMinute { get; set; }
    public int TimeoutSeconds { get; set; } = 60;

    // Prices:<model>:InputCostPerMillionTokens / OutputCostPerMillionTokens, in USD.
    public Dictionary<string, ModelPriceOptions> Prices { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}

public sealed class ModelPriceOptions
{
    public decimal? InputCostPerMillionTokens { get; set; }
    public decimal? OutputCostPerMillionTokens { get; set; }
}

public enum EndpointKind
{
    OpenAI,
    Anthropic,
}

/// `endpoint:model`; the model part may itself contain ':' (`ollama:llama3:8b`).
public sealed record ModelReference(string Endpoint, string Model)
{
    public static bool TryParse(string? text, out ModelReference reference)
    {
        reference = new ModelReference("", "");
        var colon = text?.IndexOf(':', StringComparison.Ordinal) ?? -1;
        if (text is null || colon <= 0 || colon == text.Length - 1 || text.AsSpan(0, colon).ContainsAny(" /\\"))
            return false;
        reference = new ModelReference(text[..colon], text[(colon + 1)..]);
        return true;
    }

    public override string ToString() => $"{Endpoint}:{Model}";
}

public sealed class EndpointConfigurationException(string message) : Exception(message);

/// A resolved model: the chat client to call and the endpoint's limits. Holds the key only to redact it.
public sealed class ModelTarget(ModelReference reference, EndpointKind kind, IChatClient client, EndpointGate gate, TimeSpan timeout, string? apiKey)
{
    public ModelReference Reference { get; } = reference;
    public EndpointKind Kind { get; } = kind;
    public IChatClient Client { get; } = client;
    public EndpointGate Gate { get; } = gate;
    public TimeSpan Timeout { get; } = timeout;

    public string Redact(string message) => Secrets.Redact(message, apiKey);

    public override string ToString() => Reference.ToString();
}

/// Bounds one endpoint: at most MaxConcurrency requests in flight, at most RequestsPerMinute started.
/// Shared by every run in the process, so concurrent runs together respect the endpoint's limits.
public sealed class EndpointGate(int maxConcurrency, int? requestsPerMinute, TimeProvider time) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(maxConcurrency, maxConcurrency);
    private readonly TimeSpan _interval = requestsPerMinute is > 0 ? TimeSpan.FromMinutes(1) / requestsPerMinute.Value : TimeSpan.Zero;
    private readonly Lock _lock = new();
    private DateTimeOffset _next;

    public int MaxConcurrency { get; } = maxConcurrency;

    public void Dispose() => _slots.Dispose();

    public async ValueTask<Lease> EnterAsync(CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken);
        try
        {
            if (_interval > TimeSpan.Zero)
            {
                TimeSpan wait;
                lock (_lock)
                {
                    var now = time.GetUtcNow();
                    var slot = _next > now ? _next : now;
                    _next = slot + _interval;
                    wait = slot - now;
                }
                if (wait > TimeSpan.Zero)
                    await Task.Delay(wait, time, cancellationToken);
            }
            return new Lease(_slots);
        }
        catch
        {
            _slots.Release();
            throw;
        }
    }

    public readonly struct Lease(SemaphoreSlim slots) : IDisposable
    {
        public void Dispose() => slots.Release();
    }
}

/// Resolves `endpoint:model` from configuration into chat clients, one per model, sharing one HTTP
/// handler per process (through IHttpClientFactory) and one gate per endpoint.
public sealed class EndpointRegistry(IConfiguration configuration, IHttpClientFactory httpClients, IOptions<RegressionOptions> options, TimeProvider time)
{
    public const string HttpClientName = "Regression.Endpoints";

    private readonly ConcurrentDictionary<string, EndpointGate> _gates = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, ModelTarget> _targets = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _lock = new();

    public IReadOnlyList<string> Names =>
        configuration.GetSection("Endpoints").GetChildren().Select(c => c.Key).Order(StringComparer.Ordinal).ToList();

    public EndpointOptions Options(string endpoint)
    {
        var section = configuration.GetSection("Endpoints").GetChildren()
            .FirstOrDefault(c => string.Equals(c.Key, endpoint, StringComparison.OrdinalIgnoreCase));
        if (section is null)
        {
            var known = Names;
            throw new EndpointConfigurationException(known.Count == 0
                ? $"endpoint '{endpoint}' is not configured, and no endpoint is: set Endpoints__{endpoint}__Kind, Endpoints__{endpoint}__BaseUrl and Endpoints__{endpoint}__ApiKey."
                : $"endpoint '{endpoint}' is not configured (configured: {string.Join(", ", known)}).");
        }
        var bound = new EndpointOptions();
        try
        {
            section.Bind(bound);
        }
        catch (InvalidOperationException ex)
        {
            // Only non-string settings can fail to bind, so the key (a string) never appears in this message.
            throw new EndpointConfigurationException($"Endpoints:{section.Key}: {ex.Message}");
        }
        var problems = Validate(section.Key, bound);
        return problems.Count == 0 ? bound : throw new EndpointConfigurationException(string.Join("\n", problems));
    }

    public static List<string> Validate(string name, EndpointOptions o)
    {
        List<string> problems = [];
        var at = $"Endpoints:{name}";
        if (ParseKind(o.Kind) is null)
            problems.Add($"{at}:Kind must be 'openai' or 'anthropic'{(o.Kind is null ? "" : $", not '{o.Kind}'")}.");
        if (o.BaseUrl is not null && (!Uri.TryCreate(o.BaseUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
            problems.Add($"{at}:BaseUrl must be an absolute http(s) URL, not '{o.BaseUrl}'.");
        if (o.MaxConcurrency is < 1 or > 4096)
            problems.Add($"{at}:MaxConcurrency must be from 1 to 4096, not {o.MaxConcurrency}.");
        if (o.RequestsPerMinute is < 1)
            problems.Add($"{at}:RequestsPerMinute must be at least 1, not {o.RequestsPerMinute}.");
        if (o.TimeoutSeconds is < 1 or > 3600)
            problems.Add($"{at}:TimeoutSeconds must be from 1 to 3600, not {o.TimeoutSeconds}.");
        foreach (var (model, price) in o.Prices)
            if (price.InputCostPerMillionTokens < 0 || price.OutputCostPerMillionTokens < 0)
                problems.Add($"{at}:Prices:{model}: costs cannot be negative.");
        return problems;
    }

    public static EndpointKind? ParseKind(string? kind) => kind?.ToLowerInvariant() switch
    {
        "openai" => EndpointKind.OpenAI,
        "anthropic" => EndpointKind.Anthropic,
        _ => null,
    };

    public ModelTarget Resolve(ModelReference reference)
    {
        if (_targets.TryGetValue(reference.ToString(), out var cached))
            return cached;
        lock (_lock)
        {
            if (_targets.TryGetValue(reference.ToString(), out cached))
                return cached;
            var o = Options(reference.Endpoint);
            var kind = ParseKind(o.Kind)!.Value;
            var gate = _gates.GetOrAdd(reference.Endpoint, _ => new EndpointGate(o.MaxConcurrency, o.RequestsPerMinute, time));
            var timeout = TimeSpan.FromSeconds(o.TimeoutSeconds);
            var http = httpClients.CreateClient(HttpClientName);
            // Our per-attempt timeout governs; the SDKs' own timeouts are only a backstop.
            http.Timeout = System.Threading.Timeout.InfiniteTimeSpan;
            var client = kind switch
            {
                EndpointKind.OpenAI => OpenAIChat(o, reference.Model, http, timeout),
                // The Anthropic SDK serializes by runtime reflection, which an ahead-of-time compiled binary cannot do.
                _ when Cli.CommandLine.OfflineOnly => throw new EndpointConfigurationException(
                    $"endpoint '{reference.Endpoint}' is an Anthropic endpoint, which the native command-line build of monitor cannot call; "
                    + "run this eval with the full build (the service's executable or container image), which calls both kinds."),
                _ => AnthropicChat(o, reference.Model, http, timeout),
            };
            var target = new ModelTarget(reference, kind, client, gate, timeout, o.ApiKey);
            _targets[reference.ToString()] = target;
            return target;
        }
    }

    private static IChatClient OpenAIChat(EndpointOptions o, string model, HttpClient http, TimeSpan timeout)
    {
        var clientOptions = new OpenAIClientOptions
        {
            Endpoint = new Uri(o.BaseUrl ?? "https://api.openai.com/v1"),
            Transport = new HttpClientPipelineTransport(http),
            // Our retry loop honours Retry-After and records attempts; the SDK's would hide them.
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            NetworkTimeout = timeout + TimeSpan.FromSeconds(30),
            // Thousands of calls per run: no per-message logging or tracing work in the pipeline.
            ClientLoggingOptions = new ClientLoggingOptions { EnableLogging = false, EnableMessageLogging = false, EnableMessageContentLogging = false },
            EnableDistributedTracing = false,
        };
        // Local OpenAI-compatible servers need no key, but the SDK insists on one.
        var key = string.IsNullOrEmpty(o.ApiKey) ? "no-key" : o.ApiKey;
        return new OpenAIClient(new ApiKeyCredential(key), clientOptions).GetChatClient(model).AsIChatClient();
    }

    private IChatClient AnthropicChat(EndpointOptions o, string model, HttpClient http, TimeSpan timeout)
    {
        var client = new AnthropicClient
        {
            ApiKey = string.IsNullOrEmpty(o.ApiKey) ? "no-key" : o.ApiKey,
            BaseUrl = o.BaseUrl ?? "https://api.anthropic.com",
            HttpClient = http,
            MaxRetries = 0,
            Timeout = timeout + TimeSpan.FromSeconds(30),
        };
        return client.AsIChatClient(model, options.Value.DefaultMaxTokens);
    }
}

/// What the HTTP layer saw for the current call, whichever SDK made it: status and Retry-After.
public sealed class CallObservation
{
    public int Status { get; set; }
    public TimeSpan? RetryAfter { get; set; }
}

/// Records the response status and Retry-After of the call in flight into the caller's CallObservation.
/// Works below both SDKs, so 429/503 handling is the same for OpenAI and Anthropic endpoints.
public sealed class ResponseObserver(TimeProvider time) : DelegatingHandler
{
    private static readonly AsyncLocal<CallObservation?> CurrentCall = new();

    public static CallObservation? Current
    {
        get => CurrentCall.Value;
        set => CurrentCall.Value = value;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (CurrentCall.Value is { } observation)
        {
            observation.Status = (int)response.StatusCode;
            if (!response.IsSuccessStatusCode)
                observation.RetryAfter = RetryAfter(response, time.GetUtcNow());
        }
        return response;
    }

    public static TimeSpan? RetryAfter(HttpResponseMessage response, DateTimeOffset now)
    {
        // OpenAI also sends retry-after-ms, more precise than the standard header.
        if (response.Headers.TryGetValues("retry-after-ms", out var ms)
            && double.TryParse(ms.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var millis) && millis >= 0)
            return TimeSpan.FromMilliseconds(millis);
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        if (header?.Date is { } date)
            return date > now ? date - now : TimeSpan.Zero;
        return null;
    }

    public static bool IsTransient(int status) =>
        status is (int)HttpStatusCode.RequestTimeout or 409 or 425 or 429 or >= 500;
}

public static partial class Secrets
{
    /// Removes the endpoint's key and anything shaped like a bearer token or API key from a message.
    public static string Redact(string message, string? apiKey)
    {
        if (!string.IsNullOrEmpty(apiKey) && apiKey.Length >= 4)
            message = message.Replace(apiKey, "[redacted]", StringComparison.Ordinal);
        message = KeyShape().Replace(message, "[redacted]");
        return message.Length <= 500 ? message : message[..500] + "…";
    }

    [GeneratedRegex(@"(sk-[A-Za-z0-9_\-*]{6,}|(?<=Bearer\s)[^\s""']+|(?<=x-api-key[:=]\s?)[^\s""']+)", RegexOptions.IgnoreCase, 1000)]
    private static partial Regex KeyShape();
}
