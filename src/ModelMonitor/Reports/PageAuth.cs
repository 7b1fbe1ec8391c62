using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using ModelMonitor.Pins;
using ModelMonitor.Pins.Auth;
using Npgsql;

namespace ModelMonitor.Reports;

/// Sign-in for the pages: a token entered once becomes a session cookie (HttpOnly, SameSite=Strict, Secure over
/// TLS). The cookie is an encrypted ticket holding the team and a fingerprint of its token's stored hash, never the
/// token; each request checks the fingerprint against the team's current hash, so rotating the token (or changing
/// the admin token) ends the sessions opened with the old one. A bearer token works on the pages too.
internal static class PageAuth
{
    public const string Scheme = "pages";
    public const string CookieScheme = "session";
    public const string Policy = "page-viewer";
    public const string CookieName = "monitor_session";

    private const string FingerprintClaim = "monitor:token-fingerprint";

    public static void AddPageAuth(this WebApplicationBuilder builder)
    {
        builder.Services.AddAuthentication()
            .AddCookie(CookieScheme, options =>
            {
                options.Cookie.Name = CookieName;
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Strict;
                options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                options.ExpireTimeSpan = TimeSpan.FromHours(12);
                options.SlidingExpiration = true;
                options.LoginPath = "/login";
                options.LogoutPath = "/logout";
                options.ReturnUrlParameter = "returnUrl";
                options.Events.OnValidatePrincipal = ValidateAsync;
            })
            .AddPolicyScheme(Scheme, "Bearer token or session cookie", options =>
                options.ForwardDefaultSelector = context =>
                    context.Request.Headers.Authorization.Count > 0 ? BearerAuthenticationHandler.SchemeName : CookieScheme);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(Policy, policy => policy.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser());
    }

    /// The identity a token stands for, or null when it is not valid.
    public static async Task<ClaimsPrincipal?> SignInPrincipalAsync(HttpContext context, string token, CancellationToken cancellationToken)
    {
        var services = context.RequestServices;
        token = token.Trim();
        if (token.Length is 0 or > 512)
            return null;
        var hash = TeamTokens.Hash(token);
        var admin = services.GetRequiredService<AdminTokenHash>();
        if (CryptographicOperations.FixedTimeEquals(hash, admin.Value) && services.GetRequiredService<IOptions<AuthOptions>>().Value.AdminEnabled)
            return Principal(
                new Claim(ClaimTypes.Role, AuthPolicies.AdminRole),
                new Claim(ClaimTypes.Name, "admin"),
                new Claim(FingerprintClaim, Fingerprint(admin.Value)));
        if (!TeamTokens.LooksLikeATeamToken(token))
            return null;
        var connection = await services.GetRequiredService<ScopedConnection>().GetAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT id, name, token_hash FROM teams WHERE token_hash = $1", connection)
        {
            Parameters = { new NpgsqlParameter<byte[]> { TypedValue = hash } },
        };
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken) || !CryptographicOperations.FixedTimeEquals(reader.GetFieldValue<byte[]>(2), hash))
            return null;
        return Principal(
            new Claim(ClaimTypes.Name, reader.GetString(1)),
            new Claim(AuthClaims.Team, reader.GetString(1)),
            new Claim(AuthClaims.TeamId, reader.GetInt64(0).ToString(CultureInfo.InvariantCulture)),
            new Claim(FingerprintClaim, Fingerprint(hash)));
    }

    private static ClaimsPrincipal Principal(params Claim[] claims) => new(new ClaimsIdentity(claims, CookieScheme));

    // A rotated team token, or a changed admin token, ends the sessions opened with the old one.
    private static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var user = context.Principal;
        if (user is null)
            return;
        var services = context.HttpContext.RequestServices;
        bool valid;
        if (AuthClaims.IsAdmin(user))
        {
            var admin = services.GetRequiredService<AdminTokenHash>();
            valid = services.GetRequiredService<IOptions<AuthOptions>>().Value.AdminEnabled
                    && user.FindFirst(FingerprintClaim)?.Value == Fingerprint(admin.Value);
        }
        else if (AuthClaims.TeamIdOf(user) is { } teamId)
        {
            var connection = await services.GetRequiredService<ScopedConnection>().GetAsync(context.HttpContext.RequestAborted);
            await using var command = new NpgsqlCommand("SELECT token_hash FROM teams WHERE id = $1", connection)
            {
                Parameters = { new NpgsqlParameter<long> { TypedValue = teamId } },
            };
            valid = await command.ExecuteScalarAsync(context.HttpContext.RequestAborted) is byte[] current
                    && user.FindFirst(FingerprintClaim)?.Value == Fingerprint(current);
        }
        else
            valid = false;
        if (!valid)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieScheme);
        }
    }

    // Not the stored hash itself: a second hash, so the cookie (even decrypted) gives nothing to look a team up by.
    private static string Fingerprint(byte[] tokenHash) => Convert.ToBase64String(SHA256.HashData([.. tokenHash, .. "monitor-session"u8]));

    /// A return URL is followed only when it is a path on this site (no scheme, no `//host`, no backslash tricks).
    public static string SafeReturnUrl(string? returnUrl) =>
        returnUrl is { Length: > 0 } url && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'))
        && !url.Contains('\\', StringComparison.Ordinal) && !url.Any(char.IsControl)
            ? url
            : "/";

    /// Posts to the login and logout forms must come from our own pages (SameSite covers the cookie, not the login).
    public static bool IsSameOrigin(HttpRequest request)
    {
        if (request.Headers["Sec-Fetch-Site"] is [{ } site] && site is "cross-site" or "same-site")
            return false;
        if (request.Headers.Origin is not [{ } origin] || origin == "null")
            return request.Headers.Origin.Count == 0;
        return Uri.TryCreate(origin, UriKind.Absolute, out var uri)
               && string.Equals(uri.Scheme, request.Scheme, StringComparison.OrdinalIgnoreCase)
               && string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase);
    }
}
