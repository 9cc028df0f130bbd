using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Skiff.ApiServer.Serialization;

namespace Skiff.ApiServer.Registry;

/// <summary>
/// Finishes namespace deletion: a namespace marked for deletion has its contents deleted and
/// is removed once nothing is left in it (what upstream's namespace controller does). Runs in
/// the API server process until the controller manager exists. One worker; retries every
/// second while objects held by finalizers remain.
/// </summary>
public sealed class NamespaceLifecycle(ObjectRegistry objects, ILogger log)
{
    private readonly Channel<string> _queue = Channel.CreateUnbounded<string>();

    public async Task RunAsync(CancellationToken ct)
    {
        objects.NamespaceTerminating += name => _queue.Writer.TryWrite(name);
        var namespaces = objects.Resources.Find("", "v1", "namespaces")!;
        // Deletions interrupted by a restart resume.
        var all = await objects.ListAsync(namespaces, "", new ListOptions(), ct);
        foreach (var ns in all.Items.Where(n => Obj.Str(n["metadata"], "deletionTimestamp") is not null))
            _queue.Writer.TryWrite(Obj.Name(ns));

        await foreach (var name in _queue.Reader.ReadAllAsync(ct))
        {
            try
            {
                if (await objects.FinalizeNamespaceAsync(name, ct))
                {
                    log.LogInformation("namespace {Namespace} deleted", name);
                    continue;
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning(e, "finishing deletion of namespace {Namespace} failed; retrying", name);
            }
            _ = RequeueLaterAsync(name, ct);
        }
    }

    private async Task RequeueLaterAsync(string name, CancellationToken ct)
    {
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(1), ct);
            _queue.Writer.TryWrite(name);
        }
        catch (OperationCanceledException) { }
    }
}
