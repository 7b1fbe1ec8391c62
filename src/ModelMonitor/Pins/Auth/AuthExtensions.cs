using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace ModelMonitor.Pins.Auth;

/// Policy names for `RequireAuthorization(...)` on any feature's endpoints.
public static class AuthPolicies
{
    // The admin token only.
    public const string Admin = "admin";

    // The admin token, or the token of the team named by the route value {team}. Another team's token gets
    // 404, as if the team did not exist.
    public const string TeamMember = "team-member";

    // Rate limiting of requests that carry no valid token, per client IP; put it on every authenticated group.
    public const string FailedAttempts = "failed-auth-attempts";

    public const string AdminRole = "admin";
}

internal static class AuthExtensions
{
    private const string MiddlewareAdded = "ModelMonitor.Auth.MiddlewareAdded";

    public static void AddAuth(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<AuthOptions>().BindConfiguration("Auth").ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>();
        builder.Services.AddSingleton<AdminTokenHash>();

        builder.Services.AddAuthentication(BearerAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, BearerAuthenticationHandler>(BearerAuthenticationHandler.SchemeName, null);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(AuthPolicies.Admin, p => p.RequireAuthenticatedUser().RequireRole(AuthPolicies.AdminRole))
            .AddPolicy(AuthPolicies.TeamMember, p => p.RequireAuthenticatedUser().AddRequirements(new TeamMemberRequirement()));
        builder.Services.AddSingleton<IAuthorizationHandler, TeamMemberHandler>();
        builder.Services.AddSingleton<IAuthorizationMiddlewareResultHandler, HideOtherTeamsResultHandler>();

        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(AuthPolicies.FailedAttempts, context =>
            {
                // Authenticated requests are never limited here; only the ones that would fail authentication.
                if (context.User.Identity?.IsAuthenticated == true)
                    return RateLimitPartition.GetNoLimiter("authenticated");
                var permits = context.RequestServices.GetRequiredService<IOptions<AuthOptions>>().Value.FailedAttemptsPerMinute;
                return RateLimitPartition.GetFixedWindowLimiter(
                    context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 });
            });
            limiter.OnRejected = async (rejected, cancellationToken) =>
            {
                rejected.HttpContext.Response.Headers.RetryAfter = "60";
                await rejected.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = rejected.HttpContext,
                    ProblemDetails =
                    {
                        Status = StatusCodes.Status429TooManyRequests,
                        Title = "Too Many Requests",
                        Detail = "Too many requests without a valid token from this address; try again in a minute.",
                    },
                });
            };
        });
    }

    /// Authentication, then the failed-attempt limiter (it needs to know who is authenticated), then authorization.
    public static void UseAuth(this WebApplication app)
    {
        var properties = ((IApplicationBuilder)app).Properties;
        if (properties.ContainsKey(MiddlewareAdded))
            return;
        properties[MiddlewareAdded] = true;
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();
    }
}

internal sealed class TeamMemberRequirement : IAuthorizationRequirement;

internal sealed class TeamMemberHandler : AuthorizationHandler<TeamMemberRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, TeamMemberRequirement requirement)
    {
        if (AuthClaims.IsAdmin(context.User))
            context.Succeed(requirement);
        else if (context.Resource is HttpContext http
                 && http.GetRouteValue("team") is string team
                 && context.User.FindFirst(AuthClaims.Team)?.Value is { } own
                 && string.Equals(own, team, StringComparison.Ordinal))
            context.Succeed(requirement);
        return Task.CompletedTask;
    }
}

/// A team's token on another team's path answers exactly what a missing team answers, so team names
/// cannot be probed with a token.
internal sealed class HideOtherTeamsResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Forbidden
            && authorizeResult.AuthorizationFailure?.FailedRequirements.OfType<TeamMemberRequirement>().Any() == true)
        {
            var team = context.GetRouteValue("team") as string ?? "";
            await PinsProblems.TeamNotFound(team).ExecuteAsync(context);
            return;
        }
        await _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
