using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Skiff.Api.Models.Core.V1;
using Skiff.Client;
using Skiff.Client.Rest;
using Skiff.Scheduler.Framework;

namespace Skiff.Scheduler.Binding;

/// <summary>
/// Writes core/v1 Events (what <c>kubectl describe</c> and <c>kubectl get events</c> show) from a
/// bounded queue on a background task, so scheduling never waits for them; when the queue is full new
/// events are dropped, as upstream's broadcaster does. A repeat of the same reason and message for the
/// same pod bumps the existing event's count instead of creating another. Safe from any thread.
/// (Skiff.Client's own event recorder replaces this once merged.)
/// </summary>
public sealed class ClientEventRecorder(KubeClient client, string component, ILogger logger) : IEventRecorder
{
    private readonly Channel<(PodInfo Pod, string Type, string Reason, string Message, DateTimeOffset At)> _pending =
        Channel.CreateBounded<(PodInfo, string, string, string, DateTimeOffset)>(new BoundedChannelOptions(4096) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly Dictionary<(string Uid, string Reason, string Message), (string Name, int Count)> _recent = new();
    private readonly string _instance = component + "-" + Environment.MachineName;

    public void Record(PodInfo regarding, string type, string reason, string message) =>
        _pending.Writer.TryWrite((regarding, type, reason, message, DateTimeOffset.UtcNow));

    public async Task RunAsync(CancellationToken ct)
    {
        try
        {
            await foreach (var e in _pending.Reader.ReadAllAsync(ct).ConfigureAwait(false))
            {
                try { await WriteAsync(e.Pod, e.Type, e.Reason, e.Message, e.At, ct).ConfigureAwait(false); }
                catch (Exception ex) when (ex is ApiException or HttpRequestException or IOException)
                {
                    logger.LogDebug("Dropped event {Reason} for {Pod}: {Error}", e.Reason, e.Pod.Key, ex.Message);
                }
            }
        }
        catch (OperationCanceledException) { }
    }

    private async Task WriteAsync(PodInfo pod, string type, string reason, string message, DateTimeOffset at, CancellationToken ct)
    {
        var key = (pod.Uid, reason, message);
        if (_recent.TryGetValue(key, out var seen))
        {
            var count = seen.Count + 1;
            var patch = $$"""{"count":{{count}},"lastTimestamp":"{{at.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}}"}""";
            try
            {
                await client.Resource<Event, EventList>().PatchAsync(pod.Namespace, seen.Name, PatchType.Merge, patch, ct: ct).ConfigureAwait(false);
                _recent[key] = (seen.Name, count);
                return;
            }
            catch (ApiException e) when (e.IsNotFound) { _recent.Remove(key); }
        }
        if (_recent.Count > 10_000) _recent.Clear();
        var name = $"{pod.Name}.{Guid.NewGuid():N}"[..Math.Min(pod.Name.Length + 17, 253)];
        var ev = new Event
        {
            Metadata = new() { Name = name, Namespace = pod.Namespace },
            InvolvedObject = new ObjectReference { Kind = "Pod", ApiVersion = "v1", Namespace = pod.Namespace, Name = pod.Name, Uid = pod.Uid },
            Reason = reason,
            Message = message,
            Type = type,
            Source = new EventSource { Component = component },
            ReportingComponent = component,
            ReportingInstance = _instance,
            Action = reason == "FailedScheduling" ? "Scheduling" : "Binding",
            FirstTimestamp = at,
            LastTimestamp = at,
            Count = 1,
        };
        await client.Resource<Event, EventList>().CreateAsync(ev, pod.Namespace, ct: ct).ConfigureAwait(false);
        _recent[key] = (name, 1);
    }
}
