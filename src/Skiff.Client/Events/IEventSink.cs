using System.Text.Json;
using Skiff.Api.Json;
using Skiff.Api.Models.Events.V1;
using Skiff.Client.Typed;

namespace Skiff.Client.Events;

/// <summary>Where an <see cref="EventRecorder"/> writes: create an Event, or update a series' count on one.</summary>
public interface IEventSink
{
    Task<Event> CreateAsync(Event e, CancellationToken ct);
    /// <summary>Sets <c>series</c> on an existing Event; a missing Event is an <see cref="Rest.ApiException"/> 404.</summary>
    Task PatchSeriesAsync(string ns, string name, EventSeries series, CancellationToken ct);
}

/// <summary>Writes events.k8s.io/v1 Events to the API server (series by merge patch). Stateless; safe from any thread.</summary>
public sealed class ApiEventSink(ResourceClient<Event> events) : IEventSink
{
    public Task<Event> CreateAsync(Event e, CancellationToken ct) => events.CreateAsync(e, ct: ct);

    public Task PatchSeriesAsync(string ns, string name, EventSeries series, CancellationToken ct)
    {
        var patch = ModelJson.SerializeToUtf8Bytes(new Event { Series = series });
        return events.PatchAsync(ns, name, Rest.PatchType.Merge, patch, ct: ct);
    }
}
