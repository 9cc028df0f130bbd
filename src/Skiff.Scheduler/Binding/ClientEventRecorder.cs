using Skiff.Api.Models.Core.V1;
using Skiff.Client.Events;
using Skiff.Scheduler.Framework;

namespace Skiff.Scheduler.Binding;

/// <summary>
/// The scheduler's events (FailedScheduling, Scheduled, Preempted) as core/v1 Events, which <c>kubectl describe</c>
/// reads, through Skiff.Client's <see cref="CoreEventRecorder"/>: never blocks scheduling, drops when its queue is
/// full, aggregates repeats into a count. Safe from any thread.
/// </summary>
public sealed class ClientEventRecorder(CoreEventRecorder recorder) : IEventRecorder
{
    public void Record(PodInfo regarding, string type, string reason, string message) =>
        recorder.Record(new ObjectReference { Kind = "Pod", ApiVersion = "v1", Namespace = regarding.Namespace, Name = regarding.Name, Uid = regarding.Uid },
            type, reason, message, action: reason == "FailedScheduling" ? "Scheduling" : "Binding");
}
