namespace Skiff.ApiServer.Handlers;

/// <summary>What shape a response should take, from the Accept header (content negotiation).</summary>
public enum ResponseShape { Object, Table, PartialObjectMetadata }

public sealed record ResponseFormat(ResponseShape Shape, string IncludeObject)
{
    public static ResponseFormat Parse(string? accept, string? includeObject)
    {
        var include = includeObject is "Object" or "None" or "Metadata" ? includeObject : "Metadata";
        if (string.IsNullOrEmpty(accept)) return new(ResponseShape.Object, include);
        foreach (var raw in accept.Split(','))
        {
            var parts = raw.Split(';', StringSplitOptions.TrimEntries);
            var media = parts[0].ToLowerInvariant();
            string? @as = null, g = null, v = null;
            foreach (var p in parts.Skip(1))
            {
                var eq = p.IndexOf('=');
                if (eq < 0) continue;
                var (k, val) = (p[..eq].Trim(), p[(eq + 1)..].Trim());
                if (k == "as") @as = val; else if (k == "g") g = val; else if (k == "v") v = val;
            }
            if (media is not ("application/json" or "*/*" or "application/*")) continue;
            if (@as is null) return new(ResponseShape.Object, include);
            if (g == "meta.k8s.io" && v is "v1" or "v1beta1")
            {
                if (@as == "Table") return new(ResponseShape.Table, include);
                if (@as is "PartialObjectMetadata" or "PartialObjectMetadataList") return new(ResponseShape.PartialObjectMetadata, include);
            }
        }
        // Only protobuf or unknown representations were asked for; JSON is what we have.
        return new(ResponseShape.Object, include);
    }
}
