using System.Diagnostics;

namespace ModelMonitor.Tests.Fixtures;

/// Runs the built `monitor` executable as its own process, as a user or a CI job would.
public static class MonitorProcess
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    /// Runs the host's build output (`dotnet monitor.dll …`), or, given its path, a native `monitor` executable.
    public static async Task<Result> RunAsync(IEnumerable<string> args, IDictionary<string, string?>? environment = null, TimeSpan? timeout = null,
        string? executable = null)
    {
        var start = new ProcessStartInfo(executable ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        if (executable is null)
            start.ArgumentList.Add(HostAssembly());
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
            start.Environment[key] = value;

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(180));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"monitor {string.Join(' ', start.ArgumentList.Skip(executable is null ? 1 : 0))} did not finish in time.");
        }
        return new Result(process.ExitCode, await stdout, await stderr);
    }

    // The host's own build output (it holds the runtime config, the migrations assembly and appsettings.json).
    public static string HostAssembly()
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        var path = Path.Combine(PostgresServer.RepositoryRoot(), "src", "ModelMonitor", "bin", configuration, "net10.0", "monitor.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException("Build the solution first: the host's monitor.dll is missing.", path);
    }
}
