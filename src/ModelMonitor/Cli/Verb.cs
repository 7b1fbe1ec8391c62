namespace ModelMonitor.Cli;

/// One verb of the `monitor` executable.
/// <param name="Name">What the user types (`migrate`, `pins import`).</param>
/// <param name="Usage">The synopsis shown by --help.</param>
/// <param name="Summary">One line for --help.</param>
/// <param name="NeedsDatabase">Whether the verb runs on the service's host, with start-up validation (connection string,
/// options); without, it runs on the <see cref="OfflineHost"/>.</param>
public sealed record Verb(
    string Name,
    string Usage,
    string Summary,
    bool NeedsDatabase,
    IReadOnlySet<string> Flags,
    IReadOnlySet<string> Options,
    Func<VerbContext, Task<int>> RunAsync);

public sealed record VerbContext(IServiceProvider Services, CliArguments Arguments, TextWriter Out, CancellationToken CancellationToken);

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
