using System.Net.Mail;
using System.Text.RegularExpressions;

namespace ModelMonitor.Pins;

/// Turns requests into specs or into a list of errors keyed by the field's path (`pins[2].model`).
/// All checks run before anything is written, so a bad request changes nothing.
public static partial class PinsValidation
{
    public const int MaxPins = 1000;
    public const int MaxRecipients = 50;
    public const int MaxDescription = 2000;
    public const string DefaultManifestPath = ".monitor/pins.yaml";

    public static bool IsSlug(string? value) => value is { Length: > 0 and <= 63 } && Slug().IsMatch(value);

    public static (TeamSpec? Spec, Dictionary<string, string[]> Errors) Validate(CreateTeamRequest request)
    {
        var errors = new Errors();
        CheckSlug(errors, "name", request.Name);
        var emails = Recipients(errors, "emails", request.Emails, required: true);
        var escalation = Recipients(errors, "escalationEmails", request.EscalationEmails, required: false);
        return errors.Count > 0 ? (null, errors.ToDictionary()) : (new TeamSpec(request.Name!, emails, escalation), []);
    }

    public static (AppSpec? Spec, Dictionary<string, string[]> Errors) Validate(PutAppRequest request, string prefix = "")
    {
        var errors = new Errors();
        if (request.Description is { Length: > MaxDescription })
            errors.Add(prefix + "description", $"must be at most {MaxDescription} characters (it has {request.Description.Length}).");
        if (request.Repository is not null && !Repository().IsMatch(request.Repository))
            errors.Add(prefix + "repository", "must be a GitHub repository as 'owner/name'.");
        if (request.ManifestPath is not null && ManifestPathError(request.ManifestPath) is { } pathError)
            errors.Add(prefix + "manifestPath", pathError);

        var pins = new List<PinSpec>();
        if (request.Pins is null)
            errors.Add(prefix + "pins", "is required (a list, possibly empty).");
        else if (request.Pins.Count > MaxPins)
            errors.Add(prefix + "pins", $"must hold at most {MaxPins} pins (it has {request.Pins.Count}).");
        else
        {
            var seen = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < request.Pins.Count; i++)
            {
                var field = $"{prefix}pins[{i}]";
                if (request.Pins[i] is not { } pin)
                {
                    errors.Add(field, "must be an object with at least provider and model.");
                    continue;
                }
                if (Validate(errors, field, pin) is not { } spec)
                    continue;
                var key = string.Join('\n', spec.Provider, spec.Model, spec.Version, spec.Platform, spec.Region, spec.Environment);
                if (seen.TryGetValue(key, out var first))
                    errors.Add(field, $"duplicates {prefix}pins[{first}]: same provider, model, version, platform, region and environment.");
                else
                {
                    seen[key] = i;
                    pins.Add(spec);
                }
            }
        }
        return errors.Count > 0
            ? (null, errors.ToDictionary())
            : (new AppSpec(request.Description, request.Repository, request.ManifestPath ?? DefaultManifestPath, pins), []);
    }

    private static PinSpec? Validate(Errors errors, string field, PinRequest pin)
    {
        var before = errors.Count;
        CheckSlug(errors, field + ".provider", pin.Provider, 64);
        CheckId(errors, field + ".model", pin.Model, 200, required: true);
        CheckId(errors, field + ".version", pin.Version, 64, required: false);
        if (pin.Platform is not null)
            CheckSlug(errors, field + ".platform", pin.Platform, 64);
        CheckId(errors, field + ".region", pin.Region, 64, required: false);
        if (pin.Environment is not null)
            CheckSlug(errors, field + ".environment", pin.Environment, 63);
        CheckTokens(errors, field + ".monthlyInputTokens", pin.MonthlyInputTokens);
        CheckTokens(errors, field + ".monthlyOutputTokens", pin.MonthlyOutputTokens);
        if (errors.Count > before)
            return null;
        return new PinSpec(pin.Provider!, pin.Model!, pin.Version ?? "", pin.Platform, pin.Region, pin.Environment ?? "",
            pin.MonthlyInputTokens, pin.MonthlyOutputTokens);
    }

    private static void CheckSlug(Errors errors, string field, string? value, int max = 63)
    {
        if (string.IsNullOrEmpty(value))
            errors.Add(field, "is required.");
        else if (value.Length > max)
            errors.Add(field, $"must be at most {max} characters (it has {value.Length}).");
        else if (!Slug().IsMatch(value))
            errors.Add(field, "must use only lowercase letters, digits and '-' (a slug such as 'payments-api').");
    }

    private static void CheckId(Errors errors, string field, string? value, int max, bool required)
    {
        if (value is null || (value.Length == 0 && !required))
        {
            if (required)
                errors.Add(field, "is required.");
            return;
        }
        if (value.Length == 0)
            errors.Add(field, "is required.");
        else if (value.Length > max)
            errors.Add(field, $"must be at most {max} characters (it has {value.Length}).");
        else if (value.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
            errors.Add(field, "must not contain spaces or control characters.");
    }

    private static void CheckTokens(Errors errors, string field, long? value)
    {
        if (value is < 0 or > 1_000_000_000_000_000)
            errors.Add(field, "must be a whole number from 0 to 10^18.");
    }

    private static List<string> Recipients(Errors errors, string field, List<string?>? values, bool required)
    {
        var result = new List<string>();
        if (values is null || values.Count == 0)
        {
            if (required)
                errors.Add(field, "needs at least one email address.");
            return result;
        }
        if (values.Count > MaxRecipients)
        {
            errors.Add(field, $"must hold at most {MaxRecipients} addresses (it has {values.Count}).");
            return result;
        }
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < values.Count; i++)
        {
            var item = $"{field}[{i}]";
            if (EmailError(values[i]) is { } error)
                errors.Add(item, error);
            else if (!seen.Add(values[i]!))
                errors.Add(item, $"repeats '{values[i]}'.");
            else
                result.Add(values[i]!);
        }
        return result;
    }

    public static string? EmailError(string? value)
    {
        if (string.IsNullOrEmpty(value))
            return "must be an email address.";
        if (value.Length > 254)
            return $"must be at most 254 characters (it has {value.Length}).";
        // A CR or LF in a recipient could inject mail headers; no control character belongs in an address.
        if (value.Any(char.IsControl))
            return "must not contain line breaks or control characters.";
        if (!MailAddress.TryCreate(value, out var address) || address.Address != value || address.DisplayName.Length > 0
            || value.Any(char.IsWhiteSpace) || !address.Host.Contains('.', StringComparison.Ordinal))
            return $"'{value}' is not an email address (expected name@domain.example, without a display name).";
        return null;
    }

    public static string? ManifestPathError(string path)
    {
        if (path.Length is 0 or > 500)
            return "must be 1 to 500 characters.";
        if (path.StartsWith('/') || path.EndsWith('/') || !ManifestPathChars().IsMatch(path))
            return "must be a relative path in the repository such as '.monitor/pins.yaml' (letters, digits, '.', '_', '-', '/').";
        if (path.Split('/').Any(segment => segment is "" or "." or ".."))
            return "must not contain empty, '.' or '..' segments.";
        return null;
    }

    // \z, not $: $ would accept a trailing newline.
    [GeneratedRegex(@"^[a-z0-9-]+\z")]
    private static partial Regex Slug();

    // GitHub: owner up to 39 characters (letters, digits, '-'), repository name up to 100 ([A-Za-z0-9._-]).
    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}\z")]
    private static partial Regex Repository();

    [GeneratedRegex(@"^[A-Za-z0-9._/-]+\z")]
    private static partial Regex ManifestPathChars();

    private sealed class Errors
    {
        private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

        public int Count => _errors.Count;

        public void Add(string field, string message)
        {
            if (!_errors.TryGetValue(field, out var list))
                _errors[field] = list = [];
            list.Add(message);
        }

        public Dictionary<string, string[]> ToDictionary() => _errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);
    }
}
