using System.Text.Json.Nodes;

namespace Skiff.ModelGen;

/// <summary>Writes the [JsonSerializable] list of the source-generated SkiffJsonContext: the models the typed code
/// reads and writes (<see cref="Roots"/>) and every model they reach through their properties, each with a unique
/// TypeInfo name (several groups share class names such as Scale or Subject). Stateless; thread-safe.</summary>
internal static class JsonContextWriter
{
    /// <summary>
    /// What the typed code serializes: every kind <c>KubeClient</c> has a typed client for or an informer is made of
    /// (<c>SharedInformerFactory.For</c>: the scheduler's StorageClasses), with its list, and the bodies the components
    /// send and read on their own. The API server itself works on JSON trees and needs none.
    /// Each type in the context costs the Native AOT binary ~60 generic instantiations of System.Text.Json's and
    /// CoreLib's (converters, property infos and accessors, async state machines), all of them rehydrated into memory
    /// at start whether used or not; with all 1,058 entries (760 classes and their collections) that was ~12 MiB of each process's
    /// resident memory (bench/README.md, node). A model outside this closure has the generated class but no JSON metadata:
    /// <c>ModelCodec</c> says "is not in SkiffJsonContext"; add its definition here and run scripts/gen-models.sh.
    /// </summary>
    public static readonly IReadOnlyList<string> Roots =
    [
        .. Kinds("io.k8s.api.core.v1", "Pod", "Node", "Namespace", "Service", "Endpoints", "ConfigMap", "Secret",
            "ServiceAccount", "PersistentVolume", "PersistentVolumeClaim", "Event"),
        "io.k8s.api.core.v1.Binding",
        .. Kinds("io.k8s.api.discovery.v1", "EndpointSlice"),
        .. Kinds("io.k8s.api.events.v1", "Event"),
        .. Kinds("io.k8s.api.coordination.v1", "Lease"),
        .. Kinds("io.k8s.api.apps.v1", "ReplicaSet", "Deployment", "StatefulSet", "DaemonSet", "ControllerRevision"),
        .. Kinds("io.k8s.api.batch.v1", "Job", "CronJob"),
        .. Kinds("io.k8s.api.scheduling.v1", "PriorityClass"),
        .. Kinds("io.k8s.api.storage.v1", "StorageClass"),
        .. Kinds("io.k8s.api.policy.v1", "PodDisruptionBudget"),
        "io.k8s.api.policy.v1.Eviction",
        "io.k8s.api.authentication.v1.TokenRequest",
        "io.k8s.apimachinery.pkg.apis.meta.v1.Status",
        "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions",
    ];

    public static (string Path, string Content) Write(SwaggerDocument doc)
    {
        var classes = Closure(doc);
        var w = new CodeWriter();
        w.Line(CodeWriter.Header);
        w.Line("#nullable enable");
        w.Line("using System.Text.Json.Serialization;");
        w.Line();
        w.Line("namespace Skiff.Api.Json;");
        w.Line();
        foreach (var name in ModelWriter.ClassDefinitions(doc).Where(classes.Contains))
            w.Line($"[JsonSerializable(typeof({Names.FullClassName(name)}), TypeInfoPropertyName = {CodeWriter.Literal(Names.TypeInfoName(name))})]");
        // Collections are named explicitly too: the generator's own names (ListCondition) collide across groups.
        foreach (var collection in CollectionTypes(doc, classes))
            w.Line($"[JsonSerializable(typeof({collection.Name}), TypeInfoPropertyName = {CodeWriter.Literal(collection.InfoName)})]");
        w.Line("public partial class SkiffJsonContext;");
        return ("Generated/SkiffJsonContext.g.cs", w.ToString());
    }

    /// <summary>The roots and every class definition their properties reach (through arrays and maps too).</summary>
    public static HashSet<string> Closure(SwaggerDocument doc)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>();
        foreach (var root in Roots)
        {
            if (!doc.Definitions.ContainsKey(root)) throw new InvalidOperationException($"JsonContextWriter.Roots: no definition {root}");
            pending.Push(root);
        }
        while (pending.TryPop(out var name))
        {
            if (TypeMapper.Special.ContainsKey(name) || !found.Add(name)) continue;
            if (doc.Definitions[name]!["properties"] is not JsonObject properties) continue;
            foreach (var (_, schema) in properties) References(schema, pending);
        }
        return found;
    }

    private static void References(JsonNode? schema, Stack<string> into)
    {
        if (schema is not JsonObject s) return;
        if (s.ContainsKey("$ref")) into.Push(TypeMapper.RefName(s));
        References(s["items"], into);
        References(s["additionalProperties"], into);
    }

    private static IEnumerable<string> Kinds(string package, params string[] kinds) =>
        kinds.SelectMany(k => new[] { $"{package}.{k}", $"{package}.{k}List" });

    private static IEnumerable<CsType> CollectionTypes(SwaggerDocument doc, HashSet<string> classes)
    {
        var found = new SortedDictionary<string, CsType>(StringComparer.Ordinal);
        foreach (var name in ModelWriter.ClassDefinitions(doc).Where(classes.Contains))
        {
            if (doc.Definitions[name]!["properties"] is not JsonObject properties) continue;
            foreach (var (jsonName, schema) in properties)
            {
                // A property with its own converter (a map of timestamps) is serialized by that converter.
                var type = TypeMapper.Map(schema!.AsObject(), $"{name}.{jsonName}");
                if (type is { IsCollection: true, Converter: null }) found.TryAdd(type.InfoName, type);
            }
        }
        return found.Values;
    }
}
