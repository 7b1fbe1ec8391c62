using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ModelMonitor.Pins.Auth;

/// `Authorization: Bearer <token>`: the admin token from configuration, or a team token looked up by its hash.
internal sealed class BearerAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    IOptions<AuthOptions> auth,
    AdminTokenHash adminHash,
    ScopedConnection connection,
    IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    public const string SchemeName = "Bearer";
    private const int MaximumTokenLength = 512;


    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header))
            return AuthenticateResult.NoResult();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return AuthenticateResult.Fail("The Authorization header must read 'Bearer <token>'.");
        var token = header["Bearer ".Length..].Trim();
        if (token.Length is 0 or > MaximumTokenLength)
            return AuthenticateResult.Fail("The bearer token is not valid.");

        // Both sides are fixed-length hashes, so the comparison takes the same time whatever the token.
        var hash = TeamTokens.Hash(token);
        if (CryptographicOperations.FixedTimeEquals(hash, adminHash.Value) && auth.Value.AdminEnabled)
            return Success(new Claim(ClaimTypes.Role, AuthPolicies.AdminRole), new Claim(ClaimTypes.Name, "admin"));

        // The shape is public (prefix and length), so rejecting it early reveals nothing about any token.
        if (!TeamTokens.LooksLikeATeamToken(token))
            return AuthenticateResult.Fail("The bearer token is not valid.");
        // Found by its hash through a unique index: the lookup's time does not depend on how close a guess is.
        var team = await FindTeamByHashAsync(hash, Context.RequestAborted);
        if (team is null || !CryptographicOperations.FixedTimeEquals(team.TokenHash, hash))
            return AuthenticateResult.Fail("The bearer token is not valid.");
        return Success(
            new Claim(ClaimTypes.Name, team.Name),
            new Claim(AuthClaims.Team, team.Name),
            new Claim(AuthClaims.TeamId, team.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    // Every team request runs this: plain SQL on the request's connection, one short round trip.
    private async Task<TeamIdentity?> FindTeamByHashAsync(byte[] hash, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT id, name, token_hash FROM teams WHERE token_hash = $1", await connection.GetAsync(cancellationToken))
        {
            Parameters = { new NpgsqlParameter<byte[]> { TypedValue = hash } },
        };
        // Prepared once per pooled connection (Npgsql keeps it across rents): no parse and plan per request.
        await command.PrepareAsync(cancellationToken);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new TeamIdentity(reader.GetInt64(0), reader.GetString(1), reader.GetFieldValue<byte[]>(2))
            : null;
    }

    private static AuthenticateResult Success(params Claim[] claims) =>
        AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName)), SchemeName));

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = result.Failure is null
            ? "Bearer realm=\"monitor\""
            : "Bearer realm=\"monitor\", error=\"invalid_token\"";
        var detail = result.Failure?.Message ?? "This endpoint needs a bearer token: 'Authorization: Bearer <token>'.";
        if (NeedsAdmin() && !auth.Value.AdminEnabled)
            detail += " " + AdminDisabled;
        await WriteProblemAsync(StatusCodes.Status401Unauthorized, "Unauthorized", detail);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        var detail = auth.Value.AdminEnabled ? "This endpoint needs the admin token." : AdminDisabled;
        return WriteProblemAsync(StatusCodes.Status403Forbidden, "Forbidden", detail);
    }

    public const string AdminDisabled = "The admin API is disabled: Auth:AdminToken is not set (environment: Auth__AdminToken).";

    private bool NeedsAdmin() =>
        Context.GetEndpoint()?.Metadata.GetOrderedMetadata<IAuthorizeData>().Any(a => a.Policy == AuthPolicies.Admin) == true;

    private async Task WriteProblemAsync(int status, string title, string detail) =>
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        });

    private sealed record TeamIdentity(long Id, string Name, byte[] TokenHash);
}

/// The SHA-256 of the configured admin token, or of random bytes when there is none (so the comparison
/// still runs, and nothing can match it).
internal sealed class AdminTokenHash(IOptions<AuthOptions> options)
{
    public byte[] Value { get; } = options.Value.AdminEnabled
        ? TeamTokens.Hash(options.Value.AdminToken!)
        : RandomNumberGenerator.GetBytes(32);
}

public static class AuthClaims
{
    public const string Team = "monitor:team";
    public const string TeamId = "monitor:team-id";

    public static long? TeamIdOf(ClaimsPrincipal user) =>
        user.FindFirst(TeamId)?.Value is { } id ? long.Parse(id, System.Globalization.CultureInfo.InvariantCulture) : null;

    public static bool IsAdmin(ClaimsPrincipal user) => user.IsInRole(AuthPolicies.AdminRole);
}
