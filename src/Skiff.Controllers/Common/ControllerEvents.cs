using Microsoft.Extensions.Logging;
using Skiff.Api.Models.Core.V1;
using Skiff.Client;
using Skiff.Client.Events;

namespace Skiff.Controllers.Common;

/// <summary>
/// A controller's core/v1 Event recorder with its writer running for exactly as long as the controller: start it
/// with <see cref="Start"/>, record, and dispose it to stop the writer. Thread-safe as the recorder is.
/// </summary>
public sealed class ControllerEvents : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _writer;

    private ControllerEvents(CoreEventRecorder recorder)
    {
        Recorder = recorder;
        _writer = Task.Run(() => recorder.RunAsync(_stop.Token), CancellationToken.None);
    }

    public CoreEventRecorder Recorder { get; }

    /// <summary>Events reported as <paramref name="component"/> (source.component) of the controller manager.</summary>
    public static ControllerEvents Start(KubeClient client, string component, ILoggerFactory loggers) =>
        new(new CoreEventRecorder(new ApiCoreEventSink(client),
            new CoreEventRecorderOptions { Component = component, ReportingInstance = "skiff-controller-manager" }, loggers.CreateLogger(component + "-events")));

    public void Record(ObjectReference involved, string type, string reason, string message) => Recorder.Record(involved, type, reason, message);

    /// <summary>The reference an event about <paramref name="pod"/> names.</summary>
    public static ObjectReference PodRef(Pod pod) => new()
    {
        Kind = "Pod", ApiVersion = "v1", Namespace = pod.Metadata?.Namespace, Name = pod.Metadata?.Name, Uid = pod.Metadata?.Uid,
        ResourceVersion = pod.Metadata?.ResourceVersion,
    };

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _writer;
        _stop.Dispose();
    }
}
