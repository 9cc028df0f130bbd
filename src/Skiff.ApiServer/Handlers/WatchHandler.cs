using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Skiff.ApiServer.Errors;
using Skiff.ApiServer.Registry;
using Skiff.ApiServer.Serialization;
using Skiff.Storage;

namespace Skiff.ApiServer.Handlers;

/// <summary>
/// Serves watch requests as a stream of newline-delimited watch events
/// (<c>{"type":"ADDED","object":{...}}</c>), with upstream's resourceVersion semantics, selector
/// transitions (an object leaving the selection is DELETED), bookmarks and timeouts.
/// </summary>
public sealed class WatchHandler(ObjectRegistry objects, ITableWriter? tables, TimeSpan? bookmarkInterval = null)
{
    private readonly TimeSpan _bookmarkEvery = bookmarkInterval ?? TimeSpan.FromSeconds(60);
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>Ends every open watch stream (server shutdown); clients resume elsewhere or after restart.</summary>
    public void StopAll() => _stopping.Cancel();

    public async Task ServeAsync(HttpContext ctx, ServedResource r, string ns, ListOptions opts, ResponseFormat format)
    {
        ObjectRegistry.CheckFieldSelector(r, opts);
        var timeout = opts.TimeoutSeconds is > 0 ? TimeSpan.FromSeconds(opts.TimeoutSeconds.Value)
            : TimeSpan.FromMinutes(30 + Random.Shared.Next(30));
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, _stopping.Token);
        cts.CancelAfter(timeout);
        var ct = cts.Token;

        // "", "0" or sendInitialEvents: start with the current state as synthetic ADDED events.
        List<JsonObject>? initial = null;
        long after;
        var rv = opts.ResourceVersion;
        var sendInitial = opts.SendInitialEvents ?? (string.IsNullOrEmpty(rv) || rv == "0");
        if (opts.SendInitialEvents == true && opts.ResourceVersionMatch != "NotOlderThan")
            throw StatusException.Invalid("meta.k8s.io", "ListOptions", "", [new(Api.Validation.FieldErrorType.Forbidden, "sendInitialEvents", null, "sendInitialEvents is forbidden for watch unless resourceVersionMatch is set to NotOlderThan")]);
        if (sendInitial)
        {
            var page = await objects.ListAsync(r, ns, opts with { Limit = 0, Continue = null, ResourceVersion = null, ResourceVersionMatch = "" }, ct);
            initial = page.Items;
            after = page.Revision;
        }
        else if (!long.TryParse(rv, NumberStyles.None, CultureInfo.InvariantCulture, out after))
            throw StatusException.BadRequest($"invalid resource version: {rv}");

        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = "application/json";
        ctx.Response.Headers.CacheControl = "no-cache, private";
        var writer = new EventWriter(ctx, r, format, tables);

        IStoreWatch watch;
        try
        {
            watch = objects.Store.Watch(r.ListPrefix(ns), after);
        }
        catch (CompactedException e)
        {
            await writer.WriteErrorAsync(StatusException.Gone($"too old resource version: {e.Requested} ({e.Compacted})"), ct);
            return;
        }
        using (watch)
        {
            try
            {
                await ctx.Response.StartAsync(ct);
                if (initial is not null)
                {
                    foreach (var o in initial) await writer.WriteAsync("ADDED", o, flush: false, ct);
                    if (opts.SendInitialEvents == true && opts.AllowWatchBookmarks)
                        await writer.WriteBookmarkAsync(after, initialEventsEnd: true, ct);
                }
                await writer.FlushAsync(ct);
                await PumpAsync(watch, writer, r, opts, after, ct);
            }
            catch (OperationCanceledException) { }
            catch (System.Threading.Channels.ChannelClosedException) { }
            catch (IOException) { }
        }
    }

    private async Task PumpAsync(IStoreWatch watch, EventWriter writer, ServedResource r, ListOptions opts, long lastRevision, CancellationToken ct)
    {
        var reader = watch.Events;
        var filtered = !opts.LabelSelector.IsEmpty || !opts.FieldSelector.IsEmpty;
        var nextBookmark = DateTime.UtcNow + _bookmarkEvery;
        while (!ct.IsCancellationRequested)
        {
            var waitFor = nextBookmark - DateTime.UtcNow;
            if (waitFor <= TimeSpan.Zero)
            {
                if (opts.AllowWatchBookmarks) await writer.WriteBookmarkAsync(lastRevision, false, ct);
                nextBookmark = DateTime.UtcNow + _bookmarkEvery;
                continue;
            }
            using var tick = CancellationTokenSource.CreateLinkedTokenSource(ct);
            tick.CancelAfter(waitFor);
            bool available;
            try { available = await reader.WaitToReadAsync(tick.Token); }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested) { continue; }
            if (!available)
            {
                if (reader.Completion.IsFaulted && reader.Completion.Exception?.InnerException is CompactedException c)
                    await writer.WriteErrorAsync(StatusException.Gone($"too old resource version: {c.Requested} ({c.Compacted})"), ct);
                return;
            }
            while (reader.TryRead(out var ev))
            {
                lastRevision = ev.Revision;
                var cur = objects.Decode(r, ev.Value);
                JsonObject? prev = ev.Previous is null ? null : objects.Decode(r, ev.Previous);
                string? type;
                JsonObject obj = cur;
                if (!filtered)
                {
                    type = ev.Type switch { WatchEventType.Created => "ADDED", WatchEventType.Modified => "MODIFIED", _ => "DELETED" };
                }
                else
                {
                    var now = ev.Type != WatchEventType.Deleted && ObjectRegistry.Matches(r, cur, opts);
                    var before = ev.Type == WatchEventType.Deleted
                        ? ObjectRegistry.Matches(r, cur, opts)
                        : prev is not null && ObjectRegistry.Matches(r, prev, opts);
                    type = (before, now) switch
                    {
                        (false, true) => "ADDED",
                        (true, true) => "MODIFIED",
                        (true, false) => "DELETED",
                        _ => null,
                    };
                    if (type == "DELETED" && ev.Type != WatchEventType.Deleted && prev is not null)
                    {
                        obj = prev;
                        Obj.Meta(obj)["resourceVersion"] = ev.Revision.ToString(CultureInfo.InvariantCulture);
                    }
                }
                if (type is not null) await writer.WriteAsync(type, obj, flush: false, ct);
            }
            await writer.FlushAsync(ct);
        }
    }

    /// <summary>Encodes events onto the response stream, one JSON document per line.</summary>
    private sealed class EventWriter(HttpContext ctx, ServedResource r, ResponseFormat format, ITableWriter? tables)
    {
        private readonly Utf8JsonWriter _w = new(ctx.Response.BodyWriter, Obj.Writer);
        private bool _columnsSent;

        public async Task WriteAsync(string type, JsonObject obj, bool flush, CancellationToken ct)
        {
            WriteEvent(type, w =>
            {
                switch (format.Shape)
                {
                    case ResponseShape.Table when tables is not null:
                        tables.Write(w, r, [obj], Obj.Str(obj["metadata"], "resourceVersion") ?? "", null, null, format.IncludeObject, !_columnsSent);
                        _columnsSent = true;
                        break;
                    case ResponseShape.PartialObjectMetadata:
                        ResourceHandler.WritePartial(w, obj);
                        break;
                    default:
                        obj.WriteTo(w);
                        break;
                }
            });
            if (flush) await FlushAsync(ct);
        }

        public async Task WriteBookmarkAsync(long revision, bool initialEventsEnd, CancellationToken ct)
        {
            var meta = new JsonObject { ["resourceVersion"] = revision.ToString(CultureInfo.InvariantCulture) };
            if (initialEventsEnd) meta["annotations"] = new JsonObject { ["k8s.io/initial-events-end"] = "true" };
            var o = new JsonObject { ["kind"] = r.Kind, ["apiVersion"] = r.ApiVersion, ["metadata"] = meta };
            WriteEvent("BOOKMARK", w => o.WriteTo(w));
            await FlushAsync(ct);
        }

        public async Task WriteErrorAsync(StatusException e, CancellationToken ct)
        {
            if (!ctx.Response.HasStarted)
            {
                ctx.Response.StatusCode = 200;
                ctx.Response.ContentType = "application/json";
            }
            WriteEvent("ERROR", e.WriteTo);
            await FlushAsync(ct);
        }

        /// <summary>One line: {"type":TYPE,"object":...}\n, buffered in the response pipe until flushed.</summary>
        private void WriteEvent(string type, Action<Utf8JsonWriter> writeObject)
        {
            _w.Reset(ctx.Response.BodyWriter);
            _w.WriteStartObject();
            _w.WriteString("type", type);
            _w.WritePropertyName("object");
            writeObject(_w);
            _w.WriteEndObject();
            _w.Flush();
            ctx.Response.BodyWriter.Write("\n"u8);
        }

        public async Task FlushAsync(CancellationToken ct) => await ctx.Response.BodyWriter.FlushAsync(ct);
    }
}
