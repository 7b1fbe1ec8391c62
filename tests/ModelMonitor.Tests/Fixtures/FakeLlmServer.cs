using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ModelMonitor.Tests.Fixtures;

public enum FakeApi
{
    OpenAI,
    Anthropic,
}

/// One request as the fake server saw it.
public sealed record FakeRequest(FakeApi Api, string Model, string? System, string User, JsonObject Body, string? Authorization, int Attempt)
{
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    public double? Temperature => Body["temperature"]?.GetValue<double>();
    public long? Seed => Body["seed"]?.GetValue<long>();
    public int? MaxTokens => (Body["max_tokens"] ?? Body["max_completion_tokens"])?.GetValue<int>();
}

/// What the fake server does with a request.
public abstract record FakeReply
{
    public sealed record Answer(string Text, int? InputTokens = 10, int? OutputTokens = 5, TimeSpan Delay = default) : FakeReply;
    public sealed record Status(int Code, string? RetryAfter = null, string Body = """{"error":{"message":"scripted failure","type":"server_error"}}""") : FakeReply;
    public sealed record Malformed(string Body) : FakeReply;
    public sealed record Truncated : FakeReply;
    // Never answers; the request ends when the client gives up on it.
    public sealed record Hang : FakeReply;

    public static FakeReply Echo(FakeRequest request) => new Answer("ANSWER: " + request.User.ToUpperInvariant());
}

/// A loopback Kestrel server speaking OpenAI chat completions (POST /v1/chat/completions) and
/// Anthropic Messages (POST /v1/messages), answering from a script.
public sealed class FakeLlmServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, int> _attempts = new();
    private int _inFlight;
    private int _maxInFlight;

    public Func<FakeRequest, FakeReply> Script { get; set; } = FakeReply.Echo;
    public ConcurrentQueue<FakeRequest> Requests { get; } = new();
    public int MaxInFlight => Volatile.Read(ref _maxInFlight);
    public string BaseUrl { get; private set; } = "";
    public string OpenAIBaseUrl => BaseUrl + "/v1";

    private FakeLlmServer()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapPost("/v1/chat/completions", context => HandleAsync(context, FakeApi.OpenAI));
        _app.MapPost("/v1/messages", context => HandleAsync(context, FakeApi.Anthropic));
    }

    public static async Task<FakeLlmServer> StartAsync()
    {
        var server = new FakeLlmServer();
        await server._app.StartAsync();
        var address = server._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUrl = address.TrimEnd('/');
        return server;
    }

    private async Task HandleAsync(HttpContext context, FakeApi api)
    {
        var body = (JsonObject)(await JsonNode.ParseAsync(context.Request.Body))!;
        var messages = body["messages"]!.AsArray();
        var user = Text(messages.Last(m => m!["role"]!.GetValue<string>() == "user")!["content"]);
        string? system = api == FakeApi.Anthropic
            ? body["system"] is { } s ? Text(s) : null
            : messages.FirstOrDefault(m => m!["role"]!.GetValue<string>() == "system") is { } sm ? Text(sm["content"]) : null;
        var model = body["model"]!.GetValue<string>();
        var attempt = _attempts.AddOrUpdate($"{model}\n{user}", 1, (_, n) => n + 1);
        var request = new FakeRequest(api, model, system, user, body,
            api == FakeApi.OpenAI ? context.Request.Headers.Authorization.ToString() : context.Request.Headers["x-api-key"].ToString(), attempt)
        {
            Headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()),
        };
        Requests.Enqueue(request);

        var now = Interlocked.Increment(ref _inFlight);
        int seen;
        while (now > (seen = Volatile.Read(ref _maxInFlight)) && Interlocked.CompareExchange(ref _maxInFlight, now, seen) != seen)
        {
        }
        try
        {
            await ReplyAsync(context, api, request, Script(request));
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private static async Task ReplyAsync(HttpContext context, FakeApi api, FakeRequest request, FakeReply reply)
    {
        var response = context.Response;
        switch (reply)
        {
            case FakeReply.Answer a:
                if (a.Delay > TimeSpan.Zero)
                    await Task.Delay(a.Delay, context.RequestAborted);
                response.ContentType = "application/json";
                await response.WriteAsync(api == FakeApi.OpenAI ? OpenAIBody(request, a) : AnthropicBody(request, a));
                break;
            case FakeReply.Status s:
                response.StatusCode = s.Code;
                if (s.RetryAfter is not null)
                    response.Headers.RetryAfter = s.RetryAfter;
                response.ContentType = "application/json";
                await response.WriteAsync(s.Body);
                break;
            case FakeReply.Malformed m:
                response.ContentType = "application/json";
                await response.WriteAsync(m.Body);
                break;
            case FakeReply.Truncated:
                var bytes = Encoding.UTF8.GetBytes(api == FakeApi.OpenAI ? OpenAIBody(request, new FakeReply.Answer("cut")) : AnthropicBody(request, new FakeReply.Answer("cut")));
                response.ContentType = "application/json";
                response.ContentLength = bytes.Length;
                await response.Body.WriteAsync(bytes.AsMemory(0, bytes.Length / 2));
                await response.Body.FlushAsync();
                context.Abort();
                break;
            case FakeReply.Hang:
                try
                {
                    await Task.Delay(Timeout.Infinite, context.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                }
                break;
        }
    }

    private static string OpenAIBody(FakeRequest request, FakeReply.Answer a)
    {
        var usage = a.InputTokens is null ? null : new { prompt_tokens = a.InputTokens, completion_tokens = a.OutputTokens, total_tokens = a.InputTokens + a.OutputTokens };
        return JsonSerializer.Serialize(new
        {
            id = "chatcmpl-1",
            @object = "chat.completion",
            created = 1700000000,
            model = request.Model,
            choices = new[] { new { index = 0, message = new { role = "assistant", content = a.Text }, logprobs = (object?)null, finish_reason = "stop" } },
            usage,
        });
    }

    private static string AnthropicBody(FakeRequest request, FakeReply.Answer a) => JsonSerializer.Serialize(new
    {
        id = "msg_01",
        type = "message",
        role = "assistant",
        model = request.Model,
        content = new[] { new { type = "text", text = a.Text } },
        stop_reason = "end_turn",
        stop_sequence = (string?)null,
        usage = new { input_tokens = a.InputTokens ?? 0, output_tokens = a.OutputTokens ?? 0 },
    });

    private static string Text(JsonNode? content) => content switch
    {
        JsonValue v => v.GetValue<string>(),
        JsonArray parts => string.Concat(parts.Select(p => p?["text"]?.GetValue<string>() ?? "")),
        _ => "",
    };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
