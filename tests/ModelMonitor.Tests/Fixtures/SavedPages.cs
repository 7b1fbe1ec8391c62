namespace ModelMonitor.Tests.Fixtures;

/// The saved copies of the real provider pages, read from the shared folder at test time (never copied
/// into this repository). MONITOR_SAVED_PAGES overrides the location; by default it is
/// ../shared/fixtures/pages beside the repository root.
public static class SavedPages
{
    public static string? Root { get; } = Locate();

    public static string Read(string relativePath) =>
        File.ReadAllText(Path.Combine(Root ?? throw new InvalidOperationException(MissingMessage), relativePath));

    public static byte[] ReadBytes(string relativePath) =>
        File.ReadAllBytes(Path.Combine(Root ?? throw new InvalidOperationException(MissingMessage), relativePath));

    public const string MissingMessage =
        "Saved provider pages not found: set MONITOR_SAVED_PAGES or put them at ../shared/fixtures/pages beside the repository.";

    private static string? Locate()
    {
        if (Environment.GetEnvironmentVariable("MONITOR_SAVED_PAGES") is { Length: > 0 } configured)
            return Directory.Exists(configured) ? configured : null;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Monitor.sln")))
            {
                var candidate = Path.Combine(dir.Parent?.FullName ?? dir.FullName, "shared", "fixtures", "pages");
                return Directory.Exists(candidate) ? candidate : null;
            }
        }
        return null;
    }
}

/// A fact that needs the saved pages; skipped, with the reason, where they are absent.
public sealed class SavedPageFactAttribute : FactAttribute
{
    public SavedPageFactAttribute()
    {
        if (SavedPages.Root is null)
            Skip = SavedPages.MissingMessage;
    }
}

/// A theory that needs the saved pages; skipped, with the reason, where they are absent.
public sealed class SavedPageTheoryAttribute : TheoryAttribute
{
    public SavedPageTheoryAttribute()
    {
        if (SavedPages.Root is null)
            Skip = SavedPages.MissingMessage;
    }
}
