using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ModelMonitor.Pins;

/// A team owns apps and receives their alerts. Its API token is stored only as a hash.
public sealed class Team
{
    public long Id { get; set; }
    public required string Name { get; set; }
    public List<string> Emails { get; set; } = [];
    public List<string> EscalationEmails { get; set; } = [];
    public required byte[] TokenHash { get; set; }
    public DateTimeOffset TokenIssuedAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public List<App> Apps { get; set; } = [];

    internal sealed class Configuration : IEntityTypeConfiguration<Team>
    {
        public void Configure(EntityTypeBuilder<Team> e)
        {
            e.ToTable("teams");
            e.HasIndex(t => t.Name).IsUnique();
            e.HasIndex(t => t.TokenHash).IsUnique();
            e.Property(t => t.Name).HasMaxLength(63);
        }
    }
}
