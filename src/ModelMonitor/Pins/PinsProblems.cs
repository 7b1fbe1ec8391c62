using Microsoft.AspNetCore.Http.HttpResults;

namespace ModelMonitor.Pins;

/// The problem details (RFC 9457) this feature answers with, in one place so that equal situations read
/// the same: a missing team and another team's path must be indistinguishable.
public static class PinsProblems
{
    public static ProblemHttpResult TeamNotFound(string team) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not Found", detail: $"There is no team '{team}'.");

    public static ProblemHttpResult AppNotFound(string team, string app) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not Found", detail: $"Team '{team}' has no app '{app}'.");

    public static ProblemHttpResult TeamExists(string team) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict", detail: $"A team named '{team}' already exists.");

    public static ProblemHttpResult TooLarge(long limit) =>
        TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Payload Too Large",
            detail: $"The request body is larger than {limit / 1024} KiB.");

    public static ProblemHttpResult NotJson() =>
        TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported Media Type",
            detail: "The request body must be JSON (Content-Type: application/json).");

    // A validation problem (with `errors` keyed by field) as a ProblemHttpResult, so every endpoint has one problem type.
    public static ProblemHttpResult Invalid(Dictionary<string, string[]> errors)
    {
        var first = errors.First();
        var detail = errors.Count == 1
            ? $"{first.Key}: {first.Value[0]}"
            : $"{first.Key}: {first.Value[0]} (and {errors.Count - 1} more field(s); see errors)";
        return TypedResults.Problem(new HttpValidationProblemDetails(errors)
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "The request is not valid.",
            Detail = detail,
        });
    }

    public static ProblemHttpResult Invalid(string field, string message) => Invalid(new Dictionary<string, string[]> { [field] = [message] });
}
