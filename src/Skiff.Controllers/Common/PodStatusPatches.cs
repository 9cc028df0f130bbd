using System.Text.Json.Nodes;
using Skiff.Api.Json;

namespace Skiff.Controllers.Common;

/// <summary>The status patches controllers write to pods (strategic merge: conditions merge by type). Stateless.</summary>
public static class PodStatusPatches
{
    /// <summary>A time as the API writes it (RFC 3339, seconds, UTC).</summary>
    public static string Time(DateTimeOffset t) => KubernetesTime.FormatTime(t);

    /// <summary>The phase alone.</summary>
    public static string Phase(string phase) =>
        new JsonObject { ["status"] = new JsonObject { ["phase"] = phase } }.ToJsonString();

    /// <summary>One condition set at <paramref name="now"/>, and the phase too when given.</summary>
    public static string Condition(string type, string status, DateTimeOffset now, string? reason = null, string? message = null, string? phase = null)
    {
        var condition = new JsonObject { ["type"] = type, ["status"] = status };
        if (reason is not null) condition["reason"] = reason;
        if (message is not null) condition["message"] = message;
        condition["lastTransitionTime"] = Time(now);
        var podStatus = new JsonObject();
        if (phase is not null) podStatus["phase"] = phase;
        podStatus["conditions"] = new JsonArray(condition);
        return new JsonObject { ["status"] = podStatus }.ToJsonString();
    }
}
