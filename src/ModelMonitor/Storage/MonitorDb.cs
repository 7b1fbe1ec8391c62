using Microsoft.EntityFrameworkCore;
using ModelMonitor.Catalog;
using ModelMonitor.Pins;
using ModelMonitor.Sources;

namespace ModelMonitor.Storage;

public sealed class MonitorDb(DbContextOptions<MonitorDb> options) : DbContext(options)
{
    public DbSet<Provider> Providers => Set<Provider>();
    public DbSet<ModelVersion> ModelVersions => Set<ModelVersion>();
    public DbSet<ModelAlias> ModelAliases => Set<ModelAlias>();
    public DbSet<LifecycleObservation> Observations => Set<LifecycleObservation>();
    public DbSet<ChangeEvent> ChangeEvents => Set<ChangeEvent>();
    public DbSet<SourceStatement> SourceStatements => Set<SourceStatement>();
    public DbSet<SourceState> Sources => Set<SourceState>();
    public DbSet<Snapshot> Snapshots => Set<Snapshot>();
    public DbSet<Team> Teams => Set<Team>();
    public DbSet<App> Apps => Set<App>();
    public DbSet<Pin> Pins => Set<Pin>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(MonitorDb).Assembly);
}
