using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Skiff.Api.Meta;
using Skiff.Api.Selectors;
using Skiff.ApiServer.Errors;
using Skiff.ApiServer.Registry;
using Skiff.ApiServer.Routing;
using Skiff.ApiServer.Serialization;

namespace Skiff.ApiServer.Subresources;

/// <summary>
/// POST pods/NAME/eviction, as upstream's EvictionREST: a delete that first asks the pod's
/// PodDisruptionBudget. A pod that is not running (Pending, Succeeded, Failed) or already being
/// deleted is deleted without asking; otherwise exactly one matching budget must allow a
/// disruption, which the eviction then uses up (disruptionsAllowed - 1, the pod recorded in
/// status.disruptedPods) before the pod is deleted. A budget that allows none answers 429, as
/// does one whose status the disruption controller has not yet caught up with.
/// </summary>
public sealed class EvictionHandler(ObjectRegistry objects, ResourceRegistry resources) : ISubresourceHandler
{
    private const string ViolationMessage = "Cannot evict pod as it would violate the pod's disruption budget.";

    public GroupResource Resource { get; } = new("", "pods");
    public string Subresource => "eviction";

    public async Task HandleAsync(HttpContext ctx, RequestInfo info, ServedResource pods, ApiResourceInfo sub, bool dryRun)
    {
        if (info.Verb != "create") throw StatusException.MethodNotAllowed("the server does not allow this method on the requested resource");
        var ct = ctx.RequestAborted;
        var eviction = await SubresourceIo.ReadAsync(ctx, sub);
        if (Obj.Name(eviction) is { Length: > 0 } n && n != info.Name)
            throw StatusException.BadRequest("name in URL does not match name in Eviction object");
        var options = new DeleteOptions { DryRun = dryRun }.WithBody(eviction["deleteOptions"] as JsonObject);

        var pod = await objects.GetAsync(pods, info.Namespace, info.Name, ct);
        if (!NeedsBudget(pod))
        {
            await objects.DeleteAsync(pods, info.Namespace, info.Name, options, ct);
            await SubresourceIo.WriteSuccessAsync(ctx, 201);
            return;
        }

        var budgets = resources.Find("policy", "v1", "poddisruptionbudgets")
            ?? throw StatusException.Internal("policy/v1 poddisruptionbudgets are not served");
        for (var attempt = 0; ; attempt++)
        {
            var matching = (await objects.ListAsync(budgets, info.Namespace, new ListOptions(), ct)).Items
                .Where(b => Selects(b, pod)).ToList();
            if (matching.Count > 1)
                throw StatusException.Internal("This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.");
            if (matching.Count == 0) break;
            var pdb = matching[0];
            CheckAllows(pdb);
            if (dryRun) break;
            try
            {
                await objects.UpdateAsync(budgets, info.Namespace, Obj.Name(pdb), UpdateScope.Status, current =>
                {
                    var updated = current!.DeepClone().AsObject();
                    // The budget as read must be the one decided on: a concurrent eviction conflicts and retries.
                    Obj.Meta(updated)["resourceVersion"] = Obj.Str(pdb["metadata"], "resourceVersion");
                    var status = updated["status"] as JsonObject ?? new JsonObject();
                    status["disruptionsAllowed"] = (status["disruptionsAllowed"]?.GetValue<long>() ?? 0) - 1;
                    var disrupted = status["disruptedPods"] as JsonObject ?? new JsonObject();
                    disrupted[info.Name] = Obj.Now();
                    status["disruptedPods"] = disrupted;
                    updated["status"] = status;
                    return updated;
                }, false, ct);
                break;
            }
            catch (StatusException e) when (e.Code == 409 && attempt < 5) { }
        }
        await objects.DeleteAsync(pods, info.Namespace, info.Name, options, ct);
        await SubresourceIo.WriteSuccessAsync(ctx, 201);
    }

    /// <summary>Only a pod that is running (and not already going) counts against a budget.</summary>
    private static bool NeedsBudget(JsonObject pod) =>
        Obj.Str(pod["metadata"], "deletionTimestamp") is null
        && Obj.Str(pod["status"], "phase") is not ("Pending" or "Succeeded" or "Failed");

    private static bool Selects(JsonObject pdb, JsonObject pod)
    {
        if (pdb["spec"]?["selector"] is not JsonObject selector) return false;
        // An empty selector matches every pod in policy/v1.
        var parsed = LabelSelector.FromJson(selector);
        return parsed.Matches(Obj.Labels(pod) ?? new Dictionary<string, string>());
    }

    private static void CheckAllows(JsonObject pdb)
    {
        var name = Obj.Name(pdb);
        var generation = pdb["metadata"]?["generation"]?.GetValue<long>() ?? 0;
        var status = pdb["status"] as JsonObject;
        var observed = status?["observedGeneration"]?.GetValue<long>() ?? 0;
        if (observed < generation)
            throw Violation($"The disruption budget {name} is still being processed by the server.");
        var allowed = status?["disruptionsAllowed"]?.GetValue<long>() ?? 0;
        if (allowed < 0)
            throw new StatusException(403, "Forbidden", "pdb disruptions allowed is negative");
        if (allowed == 0)
        {
            var desired = status?["desiredHealthy"]?.GetValue<long>() ?? 0;
            var current = status?["currentHealthy"]?.GetValue<long>() ?? 0;
            throw Violation($"The disruption budget {name} needs {desired} healthy pods and has {current} currently");
        }
    }

    private static StatusException Violation(string cause) =>
        new StatusException(429, "TooManyRequests", ViolationMessage)
        {
            Causes = [new StatusCause("DisruptionBudget", cause, null)],
        };
}
