using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Skiff.Api.Meta;
using Skiff.ApiServer.Tables;

namespace Skiff.ApiServer.Tests.Tables;

/// <summary>A fixed clock, JSON placeholders for times relative to it, and a row reader by column name.</summary>
internal static partial class TableTestKit
{
    public static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>Ten minutes before <see cref="Now"/>; "@created@" in test JSON.</summary>
    public const string Created = "2026-01-01T11:50:00Z";

    /// <summary>A pod template with two containers; "@template@" in test JSON.</summary>
    public const string Template = """
        "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"nginx","image":"nginx:1.27"},{"name":"log","image":"busybox"}]}}
        """;

    /// <summary>Replaces "@created@", "@template@" and "@ago:SECONDS@" (a timestamp that many seconds before <see cref="Now"/>).</summary>
    public static string Fill(string json) =>
        AgoPlaceholder().Replace(json.Replace("@created@", Created).Replace("@template@", Template),
            m => Ago(TimeSpan.FromSeconds(long.Parse(m.Groups[1].Value))));

    public static JsonObject Parse(string json) => JsonNode.Parse(Fill(json))!.AsObject();

    public static Dictionary<string, object?> Row(GroupResource resource, string json)
    {
        var convertor = TableConvertors.For(resource);
        var cells = convertor.Cells(Parse(json), Now);
        Assert.Equal(convertor.Columns.Count, cells.Length);
        return convertor.Columns.Select((c, i) => (c.Name, cells[i])).ToDictionary(p => p.Name, p => p.Item2);
    }

    public static string Ago(TimeSpan d) => (Now - d).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");

    [GeneratedRegex("@ago:(\\d+)@")]
    private static partial Regex AgoPlaceholder();
}
