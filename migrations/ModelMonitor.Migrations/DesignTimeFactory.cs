using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using ModelMonitor.Storage;

namespace ModelMonitor.Migrations;

/// Lets `dotnet ef migrations add` build the model without starting the host or reaching a database.
public sealed class DesignTimeFactory : IDesignTimeDbContextFactory<MonitorDb>
{
    public MonitorDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<MonitorDb>()
            .UseNpgsql("Host=localhost;Database=design_time", o => o.MigrationsAssembly(typeof(DesignTimeFactory).Assembly.GetName().Name))
            .UseSnakeCaseNamingConvention()
            .Options);
}
