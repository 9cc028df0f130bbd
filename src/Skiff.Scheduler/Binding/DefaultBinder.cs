using Skiff.Client.Rest;
using Skiff.Scheduler.Framework;

namespace Skiff.Scheduler.Binding;

/// <summary>Binds through the pods/binding subresource (upstream's DefaultBinder).</summary>
public sealed class DefaultBinder(ISchedulerApi api) : IBindPlugin
{
    public string Name => "DefaultBinder";

    public async Task<Status?> BindAsync(CycleState state, PodInfo pod, string nodeName, CancellationToken ct)
    {
        try
        {
            await api.BindAsync(pod, nodeName, ct).ConfigureAwait(false);
            return null;
        }
        catch (ApiException e)
        {
            return Status.Error($"binding rejected: {e.Message}");
        }
        catch (HttpRequestException e)
        {
            return Status.Error($"binding failed: {e.Message}");
        }
    }
}
