using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ModelMonitor.Catalog;

/// Who serves a model. The same model on two platforms has two lifecycles.
public sealed class Provider
{
    public required string Name { get; set; }
    public required string DisplayName { get; set; }

    public static readonly IReadOnlyList<Provider> Known =
    [
        new() { Name = "openai", DisplayName = "OpenAI" },
        new() { Name = "anthropic", DisplayName = "Anthropic" },
        new() { Name = "google-gemini", DisplayName = "Google Gemini API" },
        new() { Name = "google-vertex", DisplayName = "Google Vertex AI" },
        new() { Name = "azure-openai", DisplayName = "Azure OpenAI" },
        new() { Name = "aws-bedrock", DisplayName = "Amazon Bedrock" },
        new() { Name = "mistral", DisplayName = "Mistral AI" },
        new() { Name = "cohere", DisplayName = "Cohere" },
    ];

    internal sealed class Configuration : IEntityTypeConfiguration<Provider>
    {
        public void Configure(EntityTypeBuilder<Provider> e)
        {
            e.ToTable("providers");
            e.HasKey(p => p.Name);
            e.Property(p => p.Name).HasMaxLength(64);
            e.Property(p => p.DisplayName).HasMaxLength(200);
            e.HasData(Known.Select(p => new { p.Name, p.DisplayName }));
        }
    }
}
