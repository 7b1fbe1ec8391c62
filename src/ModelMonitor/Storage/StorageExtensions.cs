using System.Runtime.Loader;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ModelMonitor.Storage;

internal static class StorageExtensions
{
    public const string MigrationsAssembly = "ModelMonitor.Migrations";

    public static void AddStorage(this IHostApplicationBuilder builder)
    {
        LoadMigrationsAssemblyFromAppDirectory();
        builder.AddDataSource();
        builder.Services.AddDbContext<MonitorDb>((sp, options) => options
            .UseNpgsql(sp.GetRequiredService<NpgsqlDataSource>(), npgsql => npgsql
                .MigrationsAssembly(MigrationsAssembly)
                .CommandTimeout(sp.GetRequiredService<IOptions<DatabaseOptions>>().Value.CommandTimeoutSeconds))
            .UseSnakeCaseNamingConvention());
        builder.Services.AddTransient<DatabaseMigrator>();
    }

    /// The database's settings and its one data source, shared by EF Core, Quartz and plain queries (the catalog
    /// prices of the offline verbs, which register only this).
    public static void AddDataSource(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DatabaseOptions>().BindConfiguration("Database").ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<DatabaseOptions>, DatabaseOptionsValidator>();
        builder.Services.AddSingleton<IValidateOptions<DatabaseOptions>, ConnectionStringValidator>();
        builder.Services.AddSingleton(sp =>
        {
            var connectionString = sp.GetRequiredService<IConfiguration>().GetConnectionString("Monitor")
                ?? throw new InvalidOperationException("ConnectionStrings:Monitor is not set (environment: ConnectionStrings__Monitor).");
            var dataSource = new NpgsqlDataSourceBuilder(connectionString);
            dataSource.UseLoggerFactory(sp.GetRequiredService<ILoggerFactory>());
            return dataSource.Build();
        });
        builder.Services.AddSingleton<System.Data.Common.DbDataSource>(sp => sp.GetRequiredService<NpgsqlDataSource>());
    }

    // The migrations assembly references this one, so it cannot be a compile-time reference of ours;
    // the build copies it beside us, and this lets the runtime find it there (it is not in our deps.json).
    private static void LoadMigrationsAssemblyFromAppDirectory() =>
        AssemblyLoadContext.Default.Resolving += (context, name) =>
        {
            if (name.Name != MigrationsAssembly)
                return null;
            var path = Path.Combine(AppContext.BaseDirectory, MigrationsAssembly + ".dll");
            return File.Exists(path)
                ? context.LoadFromAssemblyPath(path)
                : throw new FileNotFoundException($"{MigrationsAssembly}.dll is missing beside the host; build Monitor.sln or the host project again.", path);
        };
}
