using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using ModelMonitor.Pins;
using ModelMonitor.Pins.Auth;
using ModelMonitor.Regression.Storage;
using ModelMonitor.Storage;

namespace ModelMonitor.Regression;

public sealed record SuiteResponse(string Name, string Format, string Sha256, int CaseCount, DateTimeOffset UpdatedAt, string? Source = null);

public sealed record RunsRequest(string? Suite = null, string? Pin = null, decimal? BudgetUsd = null);

public sealed record RunProgressResponse(int Done, int Total);

public sealed record RunResponse(
    long Id,
    string Suite,
    string? Pin,
    string? Environment,
    string? Baseline,
    string? Candidate,
    string BaselineModel,
    string CandidateModel,
    string Trigger,
    bool Recorded,
    string Status,
    string? Error,
    DateTimeOffset RequestedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    decimal SpentUsd,
    decimal? BudgetUsd,
    string? Verdict,
    RunProgressResponse Progress,
    RegressionReport? Report = null);

public sealed record NotQueued(string Pin, string? Environment, string Suite, string Reason, long? RunId = null);

public sealed record RunsQueuedResponse(IReadOnlyList<RunResponse> Queued, IReadOnlyList<NotQueued> NotQueued);

/// Suites and runs of an app, under /api/teams/{team}/apps/{app}: the same tokens and rules as the pins API
/// (the admin token or the team's; another team's path answers 404 as if it did not exist).
internal static class RegressionEndpoints
{
    private static readonly string[] SuiteContentTypes = ["application/yaml", "text/yaml", "application/x-yaml", "application/json", "text/plain"];

    public static void MapRegression(this WebApplication app)
    {
        var group = app.MapGroup("/api/teams/{team}/apps/{app}")
            .WithTags("Regression suites and runs")
            .RequireAuthorization(AuthPolicies.TeamMember)
            .RequireRateLimiting(AuthPolicies.FailedAttempts)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        group.MapPut("/suites/{name}", PutSuiteAsync)
            .WithName("PutSuite")
            .WithSummary("Register or replace a regression suite (the YAML or JSON file as the body); validated before it is stored.")
            .Accepts<string>("application/yaml", "text/yaml", "application/json", "text/plain")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        group.MapGet("/suites", ListSuitesAsync).WithName("ListSuites").WithSummary("The app's suites.");
        group.MapGet("/suites/{name}", GetSuiteAsync).WithName("GetSuite").WithSummary("A suite, with its file.");
        group.MapDelete("/suites/{name}", DeleteSuiteAsync).WithName("DeleteSuite").WithSummary("Delete a suite and its runs.");

        group.MapPost("/runs", PostRunsAsync)
            .WithName("QueueRuns")
            .WithSummary("Queue a run of each suite (or one) for each pin (or those of one model) that has a successor in the catalog.")
            .Accepts<RunsRequest>("application/json")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/runs", ListRunsAsync).WithName("ListRuns").WithSummary("The app's runs, newest first (limit 1-500, default 50).");
        group.MapGet("/runs/{id:long}", GetRunAsync).WithName("GetRun").WithSummary("A run: status, progress, verdict and report.");
        group.MapPost("/runs/{id:long}/cancel", CancelRunAsync)
            .WithName("CancelRun")
            .WithSummary("Cancel a queued or running run; what finished is kept.")
            .ProducesProblem(StatusCodes.Status409Conflict);
    }

    private static async Task<Results<Created<SuiteResponse>, Ok<SuiteResponse>, ProblemHttpResult>> PutSuiteAsync(
        string team, string app, string name, HttpRequest request, ClaimsPrincipal user, MonitorDb db, SuiteStore suites,
        IOptions<RegressionOptions> options, CancellationToken cancellationToken)
    {
        if (await AppIdAsync(team, app, user, db, cancellationToken) is not { } appId)
            return await NotFoundAsync(team, app, user, db, cancellationToken);
        if (!PinsValidation.IsSlug(name))
            return PinsProblems.Invalid("name", "the suite name in the path must be 1 to 63 lowercase letters, digits or '-'.");
        var mediaType = request.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
        if (mediaType is null || !SuiteContentTypes.Contains(mediaType))
            return TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported Media Type",
                detail: $"The body must be the suite file, with Content-Type {string.Join(", ", SuiteContentTypes)}.");

        var limit = options.Value.Suite.MaxFileBytes;
        var (bytes, tooLarge) = await ReadLimitedAsync(request, limit, cancellationToken);
        if (tooLarge)
            return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Payload Too Large",
                detail: $"The suite is larger than Regression:Suite:MaxFileBytes ({limit} bytes).");
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return PinsProblems.Invalid("body", "is not UTF-8 text.");
        }
        if (text.Trim().Length == 0)
            return PinsProblems.Invalid("body", "is empty; expected the suite file (YAML or JSON).");
        var format = mediaType == "application/json" || (mediaType == "text/plain" && text.TrimStart('\uFEFF', ' ', '\t', '\r', '\n').StartsWith('{'))
            ? RegressionSuite.Json
            : RegressionSuite.Yaml;

        SuiteStore.Saved saved;
        try
        {
            saved = await suites.PutAsync(appId, name, text, format, cancellationToken);
        }
        catch (SuiteException ex)
        {
            return SuiteProblem(ex);
        }
        var response = Response(saved.Suite);
        return saved.Created
            ? TypedResults.Created($"/api/teams/{team}/apps/{app}/suites/{name}", response)
            : TypedResults.Ok(response);
    }

    private static async Task<Results<Ok<List<SuiteResponse>>, ProblemHttpResult>> ListSuitesAsync(
        string team, string app, ClaimsPrincipal user, MonitorDb db, SuiteStore suites, CancellationToken cancellationToken)
    {
        if (await AppIdAsync(team, app, user, db, cancellationToken) is not { } appId)
            return await NotFoundAsync(team, app, user, db, cancellationToken);
        return TypedResults.Ok((await suites.ListAsync(appId, cancellationToken)).Select(s => Response(s)).ToList());
    }

    private static async Task<Results<Ok<SuiteResponse>, ProblemHttpResult>> GetSuiteAsync(
        string team, string app, string name, ClaimsPrincipal user, MonitorDb db, SuiteStore suites, CancellationToken cancellationToken)
    {
        if (await AppIdAsync(team, app, user, db, cancellationToken) is not { } appId)
            return await NotFoundAsync(team, app, user, db, cancellationToken);
        return await suites.FindAsync(appId, name, cancellationToken) is { } suite
            ? TypedResults.Ok(Response(suite) with { Source = suite.Source })
            : SuiteNotFound(team, app, name);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteSuiteAsync(
        string team, string app, string name, ClaimsPrincipal user, MonitorDb db, SuiteStore suites, CancellationToken cancellationToken)
    {
        if (await AppIdAsync(team, app, user, db, cancellationToken) is not { } appId)
            return await NotFoundAsync(team, app, user, db, cancellationToken);
        return await suites.DeleteAsync(appId, name, cancellationToken) ? TypedResults.NoContent() : SuiteNotFound(team, app, name);
    }

    private static async Task<Results<Accepted<RunsQueuedResponse>, ProblemHttpResult>> PostRunsAsync(
        string team, string app, HttpRequest request, ClaimsPrincipal user, MonitorDb db, RunQueue queue, PinsJson json, CancellationToken cancellationToken)
    {
        if (await AppIdAsync(team, app, user, db, cancellationToken) is not { } appId)
            return await NotFoundAsync(team, app, user, db, cancellationToken);
        var body = new RunsRequest();
        if (request.ContentLength is > 0 || (request.ContentLength is null && request.ContentType is not null))
        {
            var read = await JsonBody.ReadAsync<RunsRequest>(request, json.Options, cancellationToken);
            if (read.Problem is { } problem)
                return problem;
            body = read.Value!;
        }
        if (body.BudgetUsd is < 0)
            return PinsProblems.Invalid("budgetUsd", "must be a non-negative amount in US dollars.");
        if (body.Suite is { } suiteName && !await db.Set<RegressionSuite>().AnyAsync(s => s.AppId == appId && s.Name == suiteName, cancellationToken))
            return SuiteNotFound(team, app, suiteName);

        var targets = await queue.TargetsAsync(appId, body.Suite, body.Pin, cancellationToken);
        if (targets.Count == 0)
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Nothing to run",
                detail: body.Pin is not null ? $"App '{app}' has no pin of '{body.Pin}' (or no suite)."
                    : !await db.Set<RegressionSuite>().AnyAsync(s => s.AppId == appId, cancellationToken)
                        ? $"App '{app}' has no regression suite: register one with PUT /api/teams/{team}/apps/{app}/suites/{{name}}."
                        : $"App '{app}' has no pins.");

        var queued = await queue.QueueManualAsync(targets, body.BudgetUsd, cancellationToken);
        var queuedKeys = queued.Select(q => (q.PinId, q.SuiteId)).ToHashSet();
        List<NotQueued> notQueued = [];
        foreach (var t in targets.Where(t => !queuedKeys.Contains((t.PinId, t.SuiteId))))
            notQueued.Add(t.CandidateModel is null
                ? new NotQueued(t.PinModel, t.Environment, t.Suite, $"the catalog names no successor of {t.BaselineModel}.")
                : new NotQueued(t.PinModel, t.Environment, t.Suite, "a run of this suite for this pin is already queued or running.", t.LiveRunId));
        if (queued.Count == 0)
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Nothing to run",
                detail: string.Join(" ", notQueued.Select(n => $"{n.Pin} ({n.Suite}): {n.Reason}")));

        var ids = queued.Select(q => q.RunId).ToList();
        var runs = await RunsAsync(db, db.Set<RegressionRun>().Where(r => ids.Contains(r.Id)), cancellationToken);
        var location = runs.Count == 1 ? $"/api/teams/{team}/apps/{app}/runs/{runs[0].Id}" : $"/api/teams/{team}/apps/{app}/runs";
        return TypedResults.Accepted(location, new RunsQueuedResponse(runs, notQueued));
    }

    private static async Task<Results<Ok<List<RunResponse>>, ProblemHttpResult>> ListRunsAsync(
        string team, string app, int? limit, ClaimsPrincipal user, MonitorDb db, CancellationToken cancellationToken)
    {
        if (await AppIdAsync(team, app, user, db, cancellationToken) is not { } appId)
            return await NotFoundAsync(team, app, user, db, cancellationToken);
        if (limit is < 1 or > 500)
            return PinsProblems.Invalid("limit", "must be between 1 and 500.");
        var query = db.Set<RegressionRun>().Where(r => r.AppId == appId).OrderByDescending(r => r.RequestedAt).ThenByDescending(r => r.Id).Take(limit ?? 50);
        return TypedResults.Ok(await RunsAsync(db, query, cancellationToken));
    }

    private static async Task<Results<Ok<RunResponse>, ProblemHttpResult>> GetRunAsync(
        string team, string app, long id, ClaimsPrincipal user, MonitorDb db, CancellationToken cancellationToken)
    {
        if (await AppIdAsync(team, app, user, db, cancellationToken) is not { } appId)
            return await NotFoundAsync(team, app, user, db, cancellationToken);
        var runs = await RunsAsync(db, db.Set<RegressionRun>().Where(r => r.AppId == appId && r.Id == id), cancellationToken, withReport: true);
        return runs.Count == 1 ? TypedResults.Ok(runs[0]) : RunNotFound(team, app, id);
    }

    private static async Task<Results<Ok<RunResponse>, ProblemHttpResult>> CancelRunAsync(
        string team, string app, long id, ClaimsPrincipal user, MonitorDb db, TimeProvider time, CancellationToken cancellationToken)
    {
        if (await AppIdAsync(team, app, user, db, cancellationToken) is not { } appId)
            return await NotFoundAsync(team, app, user, db, cancellationToken);
        var now = time.GetUtcNow();
        // A running run is stopped by its node at the next heartbeat; its finished results stay.
        var changed = await db.Set<RegressionRun>()
            .Where(r => r.AppId == appId && r.Id == id && (r.Status == RunStatus.Queued || r.Status == RunStatus.Running))
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, RunStatus.Cancelled).SetProperty(r => r.FinishedAt, now), cancellationToken);
        var runs = await RunsAsync(db, db.Set<RegressionRun>().Where(r => r.AppId == appId && r.Id == id), cancellationToken);
        if (runs.Count == 0)
            return RunNotFound(team, app, id);
        return changed > 0
            ? TypedResults.Ok(runs[0])
            : TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict", detail: $"Run {id} is already {runs[0].Status}.");
    }

    private static async Task<List<RunResponse>> RunsAsync(MonitorDb db, IQueryable<RegressionRun> query, CancellationToken cancellationToken, bool withReport = false)
    {
        var rows = await (
            from r in query
            join s in db.Set<RegressionSuite>() on r.SuiteId equals s.Id
            join p in db.Pins on r.PinId equals (long?)p.Id into pins
            from p in pins.DefaultIfEmpty()
            select new
            {
                Run = r,
                Suite = s.Name,
                s.CaseCount,
                Pin = p == null ? null : p.Model,
                Environment = p == null ? null : p.Environment,
                Done = db.Set<RegressionResult>().Count(x => x.RunId == r.Id),
            }).AsNoTracking().ToListAsync(cancellationToken);
        return rows.Select(x => new RunResponse(x.Run.Id, x.Suite, x.Pin, string.IsNullOrEmpty(x.Environment) ? null : x.Environment,
            x.Run.Baseline, x.Run.Candidate, x.Run.BaselineModel, x.Run.CandidateModel, x.Run.Trigger, x.Run.Recorded, x.Run.Status, x.Run.Error,
            x.Run.RequestedAt, x.Run.StartedAt, x.Run.FinishedAt, x.Run.SpentUsd, x.Run.BudgetUsd, x.Run.Verdict,
            new RunProgressResponse(x.Done, x.CaseCount * 2), withReport ? RegressionRuns.ReadReport(x.Run.Report) : null)).ToList();
    }

    private static SuiteResponse Response(RegressionSuite s) => new(s.Name, s.Format, s.Sha256, s.CaseCount, s.UpdatedAt);

    // Every problem of the file, each with its line, column and field; `detail` names the first.
    private static ProblemHttpResult SuiteProblem(SuiteException ex)
    {
        var errors = ex.Errors.GroupBy(e => e.Field.Length == 0 ? "body" : e.Field)
            .ToDictionary(g => g.Key, g => g.Select(e => $"line {e.Line}, column {e.Column}: {e.Message}").ToArray());
        var first = ex.Errors[0];
        var problem = new HttpValidationProblemDetails(errors)
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "The suite is not valid.",
            Detail = $"{ex.Errors.Count} problem(s); first: line {first.Line}, column {first.Column}, {first.Field}: {first.Message}",
        };
        problem.Extensions["problems"] = ex.Errors.Select(e => new { line = e.Line, column = e.Column, field = e.Field, message = e.Message }).ToList();
        return TypedResults.Problem(problem);
    }

    private static async Task<(byte[] Bytes, bool TooLarge)> ReadLimitedAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
            return ([], true);
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
            feature.MaxRequestBodySize = limit;
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > limit)
                    return ([], true);
                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return ([], true);
        }
        return (buffer.ToArray(), false);
    }

    // The team (from its token, or looked up for the admin), then its app.
    private static async Task<long?> AppIdAsync(string team, string app, ClaimsPrincipal user, MonitorDb db, CancellationToken cancellationToken)
    {
        var teamId = AuthClaims.TeamIdOf(user) ?? await db.Teams.Where(t => t.Name == team).Select(t => (long?)t.Id).FirstOrDefaultAsync(cancellationToken);
        return teamId is null ? null
            : await db.Apps.Where(a => a.TeamId == teamId && a.Name == app).Select(a => (long?)a.Id).FirstOrDefaultAsync(cancellationToken);
    }

    private static async Task<ProblemHttpResult> NotFoundAsync(string team, string app, ClaimsPrincipal user, MonitorDb db, CancellationToken cancellationToken) =>
        AuthClaims.TeamIdOf(user) is null && !await db.Teams.AnyAsync(t => t.Name == team, cancellationToken)
            ? PinsProblems.TeamNotFound(team)
            : PinsProblems.AppNotFound(team, app);

    private static ProblemHttpResult SuiteNotFound(string team, string app, string name) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not Found", detail: $"App '{app}' of team '{team}' has no suite '{name}'.");

    private static ProblemHttpResult RunNotFound(string team, string app, long id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not Found", detail: $"App '{app}' of team '{team}' has no run {id}.");
}
