using Microsoft.Extensions.Options;

namespace ModelMonitor.Pins.Auth;

/// Section "Auth". The admin token comes from the environment (Auth__AdminToken); without it the admin API is off.
public sealed class AuthOptions
{
    public const int MinimumAdminTokenLength = 32;

    public string? AdminToken { get; set; }

    // Requests to the API without a valid token, per client IP, before it answers 429 for the rest of the window.
    public int FailedAttemptsPerMinute { get; set; } = 20;

    public bool AdminEnabled => !string.IsNullOrEmpty(AdminToken);
}

internal sealed class AuthOptionsValidator : IValidateOptions<AuthOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        var failures = new List<string>();
        // Never echo the value: it is a secret even when it is a bad one.
        if (options.AdminToken is { } token && token.Length > 0)
        {
            if (token.Length < AuthOptions.MinimumAdminTokenLength)
                failures.Add($"Auth:AdminToken must be at least {AuthOptions.MinimumAdminTokenLength} characters (it has {token.Length}); generate one with: openssl rand -base64 33");
            else if (token.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
                failures.Add("Auth:AdminToken must not contain spaces or control characters.");
        }
        if (options.FailedAttemptsPerMinute is < 1 or > 100_000)
            failures.Add($"Auth:FailedAttemptsPerMinute must be from 1 to 100000, not {options.FailedAttemptsPerMinute}.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
