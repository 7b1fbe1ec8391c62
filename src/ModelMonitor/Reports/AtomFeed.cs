using System.Globalization;
using System.Text;
using System.Xml;
using ModelMonitor.Catalog;
using ModelMonitor.Reports.Pages;

namespace ModelMonitor.Reports;

/// Atom (RFC 4287) of change events, written with XmlWriter so every value is escaped by the writer.
internal static class AtomFeed
{
    public const string ContentType = "application/atom+xml; charset=utf-8";
    private const string Ns = "http://www.w3.org/2005/Atom";

    public static string Write(string title, string selfUrl, string baseUrl, IReadOnlyList<ChangeEvent> events, DateTimeOffset now)
    {
        var output = new StringBuilder();
        using (var xml = XmlWriter.Create(output, new XmlWriterSettings { Indent = true, OmitXmlDeclaration = false, Encoding = Encoding.UTF8 }))
        {
            xml.WriteStartDocument();
            xml.WriteStartElement("feed", Ns);
            xml.WriteElementString("title", Ns, title);
            xml.WriteElementString("id", Ns, selfUrl);
            xml.WriteElementString("updated", Ns, Stamp(events.Count > 0 ? events.Max(e => e.OccurredAt) : now));
            Link(xml, "self", selfUrl, "application/atom+xml");
            Link(xml, "alternate", baseUrl + "/", "text/html");
            xml.WriteStartElement("author", Ns);
            xml.WriteElementString("name", Ns, "Monitor");
            xml.WriteEndElement();
            xml.WriteElementString("generator", Ns, "Monitor");
            foreach (var e in events)
            {
                var model = e.Version.Length == 0 ? e.Model : $"{e.Model} {e.Version}";
                var change = Format.Change(e.OldValue, e.NewValue);
                xml.WriteStartElement("entry", Ns);
                xml.WriteElementString("id", Ns, $"urn:monitor:change-event:{e.Id.ToString(CultureInfo.InvariantCulture)}");
                xml.WriteElementString("title", Ns, $"{model} ({e.Provider}): {Format.Kind(e.Kind.ToString())}{(change.Length > 0 ? " " + change : "")}");
                xml.WriteElementString("updated", Ns, Stamp(e.OccurredAt));
                Link(xml, "alternate", baseUrl + Format.ModelHref(e.Provider, e.Model), "text/html");
                if (e.SourceName is not null)
                {
                    xml.WriteStartElement("category", Ns);
                    xml.WriteAttributeString("term", e.SourceName);
                    xml.WriteEndElement();
                }
                xml.WriteStartElement("content", Ns);
                xml.WriteAttributeString("type", "text");
                xml.WriteString($"{Format.Kind(e.Kind.ToString())} for {model} on {e.Provider}{(change.Length > 0 ? ": " + change : "")}."
                                + (e.SourceName is null ? "" : $" Source: {e.SourceName}.") + (e.Evidence is null ? "" : $" Evidence: “{Clean(e.Evidence)}”"));
                xml.WriteEndElement();
                xml.WriteEndElement();
            }
            xml.WriteEndElement();
            xml.WriteEndDocument();
        }
        // StringBuilder output declares utf-16; the response is UTF-8.
        return output.ToString().Replace("encoding=\"utf-16\"", "encoding=\"utf-8\"", StringComparison.Ordinal);
    }

    private static void Link(XmlWriter xml, string rel, string href, string type)
    {
        xml.WriteStartElement("link", Ns);
        xml.WriteAttributeString("rel", rel);
        xml.WriteAttributeString("type", type);
        xml.WriteAttributeString("href", href);
        xml.WriteEndElement();
    }

    private static string Stamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    // XML 1.0 cannot carry most control characters, even escaped; a page's text may hold them.
    private static string Clean(string text) => new(text.Where(c => c is '\t' or '\n' or '\r' || !char.IsControl(c)).ToArray());
}
