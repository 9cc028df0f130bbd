using Skiff.Agent.Kubelet.Probes;
using Skiff.Api.Models.Core.V1;

namespace Skiff.Agent.Kubelet;

/// <summary>
/// Runs postStart and preStop handlers (exec in the container, httpGet against the pod, sleep), as
/// upstream's handler runner: an exec or HTTP failure is an error message; the caller decides what it
/// means (a failed postStart kills the container; a failed preStop is only logged). Stateless; thread-safe.
/// </summary>
public sealed class LifecycleHookRunner(ContainerRuntimeManager runtime, HttpProber http)
{
    /// <summary>Null on success, else why the hook failed.</summary>
    public async Task<string?> RunAsync(LifecycleHandler handler, ProbeTarget target, TimeSpan timeout, CancellationToken ct)
    {
        if (handler.Exec is { } exec)
        {
            try
            {
                var r = await runtime.ExecSyncAsync(target.ContainerId, exec.Command ?? [], timeout, ct).ConfigureAwait(false);
                return r.ExitCode == 0 ? null
                    : $"command '{string.Join(' ', exec.Command ?? [])}' exited with {r.ExitCode}: {(r.Stdout.ToStringUtf8() + r.Stderr.ToStringUtf8()).Trim()}";
            }
            catch (Cri.Grpc.RpcException e) { return e.Message; }
        }
        if (handler.HttpGet is { } get)
        {
            var (code, message) = await http.GetAsync(get, target, timeout, ct).ConfigureAwait(false);
            return code is >= 200 and < 400 ? null : code == 0 ? message : $"HTTP lifecycle hook ({get.Path}) for Container \"{target.Container.Name}\" failed with statuscode: {code}";
        }
        if (handler.Sleep is { } sleep)
        {
            var d = TimeSpan.FromSeconds(sleep.Seconds ?? 0);
            await Task.Delay(d < timeout ? d : timeout, ct).ConfigureAwait(false);
            return null;
        }
        if (handler.TcpSocket is not null) return null; // deprecated and never run upstream
        return "the lifecycle handler has no action";
    }
}
