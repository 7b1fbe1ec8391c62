using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ModelMonitor.Pins;

/// Reads a JSON request body under a size limit and turns every way it can be wrong into a problem that
/// names the field (`pins[0].modle: unknown field`), instead of the framework's bare 400.
internal static class JsonBody
{
    public const long MaxBytes = 1024 * 1024;

    public sealed record Result<T>(T? Value, ProblemHttpResult? Problem)
        where T : class;

    public static async Task<Result<T>> ReadAsync<T>(HttpRequest request, JsonSerializerOptions options, CancellationToken cancellationToken)
        where T : class
    {
        if (!request.HasJsonContentType())
            return new(null, PinsProblems.NotJson());
        if (request.ContentLength > MaxBytes)
            return new(null, PinsProblems.TooLarge(MaxBytes));
        // Kestrel enforces this too once set; reading below enforces it under any server.
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = MaxBytes;

        var buffer = new ArrayBufferWriter<byte>(request.ContentLength is > 0 and var length ? (int)length : 4096);
        try
        {
            while (true)
            {
                var read = await request.Body.ReadAsync(buffer.GetMemory(16 * 1024), cancellationToken);
                if (read == 0)
                    break;
                buffer.Advance(read);
                if (buffer.WrittenCount > MaxBytes)
                    return new(null, PinsProblems.TooLarge(MaxBytes));
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return new(null, PinsProblems.TooLarge(MaxBytes));
        }

        if (buffer.WrittenCount == 0)
            return new(null, PinsProblems.Invalid("body", "is empty; expected a JSON object."));
        try
        {
            return JsonSerializer.Deserialize<T>(buffer.WrittenSpan, options) is { } value
                ? new(value, null)
                : new(null, PinsProblems.Invalid("body", "is null; expected a JSON object."));
        }
        catch (JsonException ex)
        {
            // A syntax error is the body's, not a field's: the reader's path then points past the fault.
            var syntax = ex.InnerException is { } inner && inner.GetType().Name == "JsonReaderException";
            return new(null, PinsProblems.Invalid(syntax ? "body" : FieldOf(ex.Path), Describe(ex)));
        }
    }

    // "$.pins[0].model" → "pins[0].model"; "$" → "body".
    private static string FieldOf(string? path) =>
        path is null or "$" ? "body" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');

    private static string Describe(JsonException ex)
    {
        // The reader's own messages describe syntax well; the serializer's name .NET types, so say it plainly.
        if (ex.InnerException is { } inner && inner.GetType().Name == "JsonReaderException")
            return $"malformed JSON: {inner.Message}";
        var message = ex.Message;
        if (message.Contains("could not be mapped to any .NET member", StringComparison.Ordinal))
            return "unknown field.";
        if (message.StartsWith("Duplicate property", StringComparison.Ordinal))
            return "appears more than once.";
        return ex.LineNumber is { } line && ex.BytePositionInLine is { } position
            ? $"has the wrong type for this field (line {line + 1}, byte {position + 1}); see /openapi/v1.json."
            : "has the wrong type for this field; see /openapi/v1.json.";
    }
}
