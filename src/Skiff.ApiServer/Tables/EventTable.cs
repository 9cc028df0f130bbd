using System.Text.Json.Nodes;

namespace Skiff.ApiServer.Tables;

/// <summary>
/// The events table kube-apiserver serves for both core/v1 and events.k8s.io/v1 events (one storage,
/// one printer): LAST SEEN TYPE REASON OBJECT MESSAGE, wide SUBOBJECT SOURCE FIRST SEEN COUNT NAME.
/// events.k8s.io objects name their fields differently (regarding, note, deprecated*), so each field is
/// read under either name.
/// </summary>
internal static class EventTable
{
    public static readonly ITableConvertor Convertor = new TableConvertor(
    [
        Col.Str("Last Seen", "Time since the event was last observed."),
        Col.Str("Type", "Normal or Warning."),
        Col.Str("Reason", "Short reason for the event."),
        Col.Str("Object", "The object the event is about, kind/name."),
        Col.Wide("Subobject", "Field path within the object, such as a container."),
        Col.Wide("Source", "Component (and host) that reported the event."),
        Col.Str("Message", "Human-readable description."),
        Col.Wide("First Seen", "Time since the event was first observed."),
        Col.Wide("Count", "How many times the event was observed."),
        new("Name", "string", "name", "Name of the event object.", 1),
    ], Cells);

    private static object?[] Cells(JsonObject ev, DateTimeOffset now)
    {
        var isNew = ev["regarding"] is not null || ev["note"] is not null
            || Json.Str(ev, "apiVersion").StartsWith("events.k8s.io/", StringComparison.Ordinal);
        var involved = Json.Obj(ev, isNew ? "regarding" : "involvedObject");
        var firstTs = Json.Time(ev, isNew ? "deprecatedFirstTimestamp" : "firstTimestamp");
        var lastTs = Json.Time(ev, isNew ? "deprecatedLastTimestamp" : "lastTimestamp");
        var count = Json.Long(ev, isNew ? "deprecatedCount" : "count");
        var source = Json.Obj(ev, isNew ? "deprecatedSource" : "source");
        var message = Json.Str(ev, isNew ? "note" : "message");

        var first = firstTs is null ? HumanDuration.Since(Json.Time(ev, "eventTime"), now) : HumanDuration.Since(firstTs, now);
        var last = lastTs is null ? first : HumanDuration.Since(lastTs, now);
        if (Json.Obj(ev, "series") is { } series)
        {
            last = HumanDuration.Since(Json.Time(series, "lastObservedTime"), now);
            count = Json.Long(series, "count");
        }
        else if (count == 0)
            count = 1; // singleton events of the new API carry no count

        var kind = Json.Str(involved, "kind").ToLowerInvariant();
        var name = Json.Str(involved, "name");
        var target = name.Length > 0 ? $"{kind}/{name}" : kind;

        var component = FirstNonEmpty(Json.Str(source, "component"), Json.Str(ev, "reportingController"));
        var host = FirstNonEmpty(Json.Str(source, "host"), Json.Str(ev, "reportingInstance"));
        var sourceText = host.Length == 0 ? component : component + ", " + host;

        return
        [
            last, Json.Str(ev, "type"), Json.Str(ev, "reason"), target, Json.Str(involved, "fieldPath"), sourceText,
            message.Trim(), first, count, Json.Name(ev),
        ];
    }

    private static string FirstNonEmpty(string a, string b) => a.Length > 0 ? a : b;
}
