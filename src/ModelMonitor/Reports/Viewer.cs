using System.Security.Claims;
using ModelMonitor.Pins.Auth;

namespace ModelMonitor.Reports;

/// Who is looking at a page: the admin sees every team; a team sees its own team's apps only.
public sealed record Viewer(bool IsAdmin, long? TeamId, string? Team)
{
    public static Viewer Of(ClaimsPrincipal user) =>
        new(AuthClaims.IsAdmin(user), AuthClaims.TeamIdOf(user), user.FindFirst(AuthClaims.Team)?.Value);

    public bool CanSee(string team) => IsAdmin || string.Equals(Team, team, StringComparison.Ordinal);

    public string Name => IsAdmin ? "admin" : Team ?? "";
}
