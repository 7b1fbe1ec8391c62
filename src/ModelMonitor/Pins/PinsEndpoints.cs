using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;
using ModelMonitor.Pins.Auth;

namespace ModelMonitor.Pins;

/// The HTTP API of teams, apps and pins, under /api/teams.
internal static class PinsEndpoints
{
    public static void AddPins(this WebApplicationBuilder builder)
    {
        builder.AddAuth();
        builder.Services.AddScoped<ScopedConnection>();
        builder.Services.AddScoped<PinResolver>();
        builder.Services.AddScoped<PinRegistry>();
        builder.Services.AddScoped<AppRegistration>();
        builder.Services.AddScoped<ManifestSync>();
        builder.Services.AddSingleton<PinsJson>();
        builder.Services.AddBearerSchemeToOpenApi();
    }

    public static void MapPins(this WebApplication app)
    {

        var teams = app.MapGroup("/api/teams")
            .WithTags("Teams, apps and pins")
            .RequireRateLimiting(AuthPolicies.FailedAttempts)
            .WithMetadata(new BodySizeLimit(JsonBody.MaxBytes))
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        teams.MapPost("/", CreateTeamAsync)
            .RequireAuthorization(AuthPolicies.Admin)
            .WithName("CreateTeam")
            .WithSummary("Create a team (admin token). The response holds the team's token, shown only this once.")
            .Accepts<CreateTeamRequest>("application/json")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);

        var team = teams.MapGroup("/{team}")
            .RequireAuthorization(AuthPolicies.TeamMember)
            .ProducesProblem(StatusCodes.Status404NotFound);

        team.MapPost("/token", RotateTokenAsync)
            .WithName("RotateTeamToken")
            .WithSummary("Issue a new token for the team (admin or the team's token); the old one stops working at once.");

        team.MapGet("/apps", ListAppsAsync)
            .WithName("ListApps")
            .WithSummary("The team's apps.");

        team.MapPut("/apps/{app}", PutAppAsync)
            .WithName("PutApp")
            .WithSummary("Create or replace an app and its whole pin set; answers with how each pin resolves in the catalog.")
            .Accepts<PutAppRequest>("application/json")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);

        team.MapGet("/apps/{app}", GetAppAsync)
            .WithName("GetApp")
            .WithSummary("An app, its pins resolved as of today, and its manifest's sync state.");

        team.MapDelete("/apps/{app}", DeleteAppAsync)
            .WithName("DeleteApp")
            .WithSummary("Delete an app and its pins.");

        team.MapGet("/apps/{app}/impact", GetImpactAsync)
            .WithName("GetAppImpact")
            .WithSummary("Each pin's lifecycle, days left and successor, with the change events of the models it points at.");
    }

    private static async Task<Results<Created<TeamTokenResponse>, ProblemHttpResult>> CreateTeamAsync(
        HttpRequest request, PinRegistry registry, PinsJson json, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<CreateTeamRequest>(request, json.Options, cancellationToken);
        if (body.Problem is { } problem)
            return problem;
        var (spec, errors) = PinsValidation.Validate(body.Value!);
        if (spec is null)
            return PinsProblems.Invalid(errors);
        return await registry.CreateTeamAsync(spec, cancellationToken) is { } token
            ? TypedResults.Created($"/api/teams/{spec.Name}", new TeamTokenResponse(spec.Name, token))
            : PinsProblems.TeamExists(spec.Name);
    }

    private static async Task<Results<Ok<TeamTokenResponse>, ProblemHttpResult>> RotateTokenAsync(
        string team, PinRegistry registry, CancellationToken cancellationToken) =>
        await registry.RotateTokenAsync(team, cancellationToken) is { } token
            ? TypedResults.Ok(new TeamTokenResponse(team, token))
            : PinsProblems.TeamNotFound(team);

    private static async Task<Results<Ok<IReadOnlyList<AppSummary>>, ProblemHttpResult>> ListAppsAsync(
        string team, ClaimsPrincipal user, PinRegistry registry, CancellationToken cancellationToken)
    {
        if (await TeamIdAsync(team, user, registry, cancellationToken) is not { } teamId)
            return PinsProblems.TeamNotFound(team);
        return TypedResults.Ok(await registry.ListAppsAsync(teamId, cancellationToken));
    }

    // Registration is the hot path: it takes AppRegistration alone, so that no DbContext is built for it.
    private static async Task<Results<Created<AppResponse>, Ok<AppResponse>, ProblemHttpResult>> PutAppAsync(
        string team, string app, HttpRequest request, ClaimsPrincipal user, AppRegistration registration, ScopedConnection connection,
        PinsJson json, CancellationToken cancellationToken)
    {
        // The token lookup left the request's connection open for the registration; a large or chunked body may
        // arrive slowly, so give the connection back to the pool rather than hold it while the body trickles in.
        if (request.ContentLength is not (> 0 and <= SmallBody))
            await connection.ReleaseAsync();
        if ((AuthClaims.TeamIdOf(user) ?? await registration.FindTeamIdAsync(team, cancellationToken)) is not { } teamId)
            return PinsProblems.TeamNotFound(team);
        if (!PinsValidation.IsSlug(app))
            return PinsProblems.Invalid("app", "the app name in the path must be 1 to 63 lowercase letters, digits or '-'.");
        var body = await JsonBody.ReadAsync<PutAppRequest>(request, json.Options, cancellationToken);
        if (body.Problem is { } problem)
            return problem;
        var (spec, errors) = PinsValidation.Validate(body.Value!);
        if (spec is null)
            return PinsProblems.Invalid(errors);
        var saved = await registration.SaveAsync(teamId, team, app, spec, cancellationToken);
        return saved.Created
            ? TypedResults.Created($"/api/teams/{team}/apps/{app}", saved.App)
            : TypedResults.Ok(saved.App);
    }

    private static async Task<Results<Ok<AppResponse>, ProblemHttpResult>> GetAppAsync(
        string team, string app, ClaimsPrincipal user, PinRegistry registry, CancellationToken cancellationToken)
    {
        if (await TeamIdAsync(team, user, registry, cancellationToken) is not { } teamId)
            return PinsProblems.TeamNotFound(team);
        return await registry.GetAppAsync(teamId, team, app, cancellationToken) is { } found
            ? TypedResults.Ok(found)
            : PinsProblems.AppNotFound(team, app);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAppAsync(
        string team, string app, ClaimsPrincipal user, PinRegistry registry, CancellationToken cancellationToken)
    {
        if (await TeamIdAsync(team, user, registry, cancellationToken) is not { } teamId)
            return PinsProblems.TeamNotFound(team);
        return await registry.DeleteAppAsync(teamId, app, cancellationToken)
            ? TypedResults.NoContent()
            : PinsProblems.AppNotFound(team, app);
    }

    private static async Task<Results<Ok<ImpactResponse>, ProblemHttpResult>> GetImpactAsync(
        string team, string app, ClaimsPrincipal user, PinRegistry registry, CancellationToken cancellationToken)
    {
        if (await TeamIdAsync(team, user, registry, cancellationToken) is not { } teamId)
            return PinsProblems.TeamNotFound(team);
        return await registry.GetImpactAsync(teamId, team, app, cancellationToken) is { } impact
            ? TypedResults.Ok(impact)
            : PinsProblems.AppNotFound(team, app);
    }

    private const long SmallBody = 16 * 1024;

    // A team token carries its team's id (the policy has already matched it to {team}); the admin looks it up.
    private static async Task<long?> TeamIdAsync(string team, ClaimsPrincipal user, PinRegistry registry, CancellationToken cancellationToken) =>
        AuthClaims.TeamIdOf(user) ?? await registry.FindTeamIdAsync(team, cancellationToken);

    private sealed class BodySizeLimit(long limit) : IRequestSizeLimitMetadata
    {
        public long? MaxRequestBodySize => limit;
    }
}

/// The host's JSON settings, stricter for requests: a repeated property is an error, not "last one wins".
internal sealed class PinsJson(IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> options)
{
    public JsonSerializerOptions Options { get; } = new(options.Value.SerializerOptions) { AllowDuplicateProperties = false };
}
