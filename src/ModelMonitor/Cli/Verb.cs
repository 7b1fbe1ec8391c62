namespace ModelMonitor.Cli;

/// One verb of the `monitor` executable.
/// <param name="Name">What the user types (`migrate`, `pins import`).</param>
/// <param name="Usage">The synopsis shown by --help.</param>
/// <param name="Summary">One line for --help.</param>
/// <param name="NeedsDatabase">Whether start-up validation (connection string, options) applies.</param>
public sealed record Verb(
    string Name,
    string Usage,
    string Summary,
    bool NeedsDatabase,
    IReadOnlySet<string> Flags,
    IReadOnlySet<string> Options,
    Func<VerbContext, Task<int>> RunAsync);

public sealed record VerbContext(WebApplication App, CliArguments Arguments, TextWriter Out, CancellationToken CancellationToken)
{
    public IServiceProvider Services => App.Services;
}

/// Exit codes shared by every verb (sysexits where one fits).
public static class ExitCodes
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int Usage = 64;
    public const int DataError = 65;
    public const int Unavailable = 69;
    public const int Config = 78;
}
