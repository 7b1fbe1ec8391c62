using System.Reflection;

namespace ModelMonitor.Hosting;

/// The product's name and version as it introduces itself to other servers (User-Agent).
public static class Product
{
    public const string Name = "Monitor";

    public static readonly string Version =
        typeof(Product).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? "0.0.0";

    public static readonly string UserAgent = $"{Name}/{Version} (AI model lifecycle monitor)";
}
