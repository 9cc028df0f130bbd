using System.Text.Json.Nodes;

namespace Skiff.ModelGen;

/// <summary>
/// Writes the JSON serializers of the models the typed code reads and writes (<see cref="Roots"/>) and of every model
/// they reach through their properties: each becomes <c>IJsonModel&lt;T&gt;</c> with a <c>ReadJson</c> over
/// <c>Utf8JsonReader</c> and a <c>WriteJson</c> over <c>Utf8JsonWriter</c> (Generated/Json/&lt;package&gt;.g.cs), with
/// the wire behaviour System.Text.Json had for them: nulls left out when writing, properties in declaration order,
/// unknown fields kept in ExtensionData and written last, names matched exactly. Plain code, not serializer
/// metadata: System.Text.Json's source generator cost the Native AOT binary ~60 generic instantiations per type, all
/// rehydrated into each process's memory at start (bench/README.md, node). Stateless; thread-safe.
/// </summary>
internal static class ModelJsonWriter
{
    /// <summary>
    /// What the typed code serializes: every kind <c>KubeClient</c> has a typed client for or an informer is made of
    /// (<c>SharedInformerFactory.For</c>: the scheduler's StorageClasses), with its list, and the bodies the components
    /// send and read on their own. The API server itself works on JSON trees and needs none.
    /// Serializers for all 760 classes would be code no process runs. A model outside this closure has the generated
    /// class but no serializer, so <c>KubeClient.Resource&lt;T, TList&gt;</c> does not compile for it: add its definition
    /// here and run scripts/gen-models.sh.
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

    public static IEnumerable<(string Path, string Content)> Write(SwaggerDocument doc)
    {
        var classes = Closure(doc);
        foreach (var package in ModelWriter.ClassDefinitions(doc).Where(classes.Contains).GroupBy(Names.PackageSuffix)
                     .OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var w = new CodeWriter();
            w.Line(CodeWriter.Header);
            w.Line("#nullable enable");
            w.Line("using JsonElement = global::System.Text.Json.JsonElement;");
            w.Line("using JsonTokenType = global::System.Text.Json.JsonTokenType;");
            w.Line("using Utf8JsonReader = global::System.Text.Json.Utf8JsonReader;");
            w.Line("using Utf8JsonWriter = global::System.Text.Json.Utf8JsonWriter;");
            w.Line("using M = global::Skiff.Api.Json.ModelJson;");
            w.Line();
            w.Line($"namespace {Names.ModelsNamespace}.{package.Key};");
            foreach (var name in package)
            {
                w.Line();
                WriteClass(w, name, doc.Definitions[name]!.AsObject());
            }
            yield return ($"Generated/Json/{package.Key}.g.cs", w.ToString());
        }
    }

    private static void WriteClass(CodeWriter w, string definitionName, JsonObject schema)
    {
        var className = Names.ClassName(definitionName);
        var properties = ModelWriter.Properties(definitionName, schema).ToList();
        w.Open($"partial class {className} : global::Skiff.Api.Json.IJsonModel<{className}>");

        w.Line($"/// <summary>Reads a {className.TrimStart('@')} from the reader's current token: null for a JSON null.</summary>");
        w.Open($"public static {className}? ReadJson(ref Utf8JsonReader r)");
        w.Line("if (r.TokenType == JsonTokenType.Null) return null;");
        w.Line($"M.StartObject(ref r, {CodeWriter.Literal(className.TrimStart('@'))});");
        w.Line($"var o = new {className}();");
        w.Line("global::System.Span<char> buffer = stackalloc char[M.NameBuffer];");
        w.Open("while (M.NextProperty(ref r))");
        w.Line("var name = M.PropertyName(in r, buffer);");
        w.Line("r.Read();");
        w.Open("switch (name)");
        foreach (var (jsonName, type, member) in properties)
        {
            w.Open($"case {CodeWriter.Literal(jsonName)}:");
            EmitRead(w, type, $"o.{member}", 0);
            w.Line("break;");
            w.Close();
        }
        w.Line("default: (o.ExtensionData ??= new())[name.ToString()] = JsonElement.ParseValue(ref r); break;");
        w.Close();
        w.Close();
        w.Line("return o;");
        w.Close();
        w.Line();

        w.Line("/// <summary>Writes this object: null properties left out, unknown fields from ExtensionData last.</summary>");
        w.Open("public void WriteJson(Utf8JsonWriter w)");
        w.Line("w.WriteStartObject();");
        var i = 0;
        foreach (var (jsonName, type, member) in properties)
        {
            var local = $"p{i++}";
            w.Open($"if ({member} is {{ }} {local})");
            w.Line($"w.WritePropertyName({CodeWriter.Literal(jsonName)}u8);");
            EmitWrite(w, type, local, 0);
            w.Close();
        }
        w.Line("M.WriteExtensionData(w, ExtensionData);");
        w.Line("w.WriteEndObject();");
        w.Close();
        w.Close();
    }

    /// <summary>A read of a scalar or model at the current token, as a nullable value (null for a JSON null).</summary>
    private static string ReadExpression(CsType t) => t.Kind switch
    {
        WireKind.Model => $"{t.Name}.ReadJson(ref r)",
        WireKind.String => "M.ReadString(ref r)",
        WireKind.Boolean => "M.ReadBoolean(ref r)",
        WireKind.Int32 => "M.ReadInt32(ref r)",
        WireKind.Int64 => "M.ReadInt64(ref r)",
        WireKind.Double => "M.ReadDouble(ref r)",
        WireKind.Bytes => "M.ReadBytes(ref r)",
        WireKind.Quantity => "M.ReadQuantity(ref r)",
        WireKind.IntOrString => "M.ReadIntOrString(ref r)",
        WireKind.Time or WireKind.MicroTime => "M.ReadTime(ref r)",
        WireKind.Json => "M.ReadJson(ref r)",
        WireKind.TimeMap => "M.ReadTimeMap(ref r)",
        _ => throw new InvalidOperationException($"{t.Name}: no scalar read for {t.Kind}"),
    };

    /// <summary>Statements that read the value at the current token into <paramref name="target"/>.</summary>
    private static void EmitRead(CodeWriter w, CsType t, string target, int depth)
    {
        switch (t.Kind)
        {
            case WireKind.List:
            {
                var (list, item) = ($"l{depth}", t.Element!);
                w.Line($"if (r.TokenType == JsonTokenType.Null) {target} = null;");
                w.Open("else");
                w.Line("M.StartArray(ref r);");
                w.Line($"var {list} = new {t.Name}();");
                w.Open("while (M.NextItem(ref r))");
                EmitAdd(w, item, value => $"{list}.Add({value});", depth);
                w.Close();
                w.Line($"{target} = {list};");
                w.Close();
                break;
            }
            case WireKind.Map:
            {
                var (map, key) = ($"m{depth}", $"k{depth}");
                w.Line($"if (r.TokenType == JsonTokenType.Null) {target} = null;");
                w.Open("else");
                w.Line("M.StartObject(ref r, \"map\");");
                w.Line($"var {map} = new {t.Name}();");
                w.Open("while (M.NextProperty(ref r))");
                w.Line($"var {key} = r.GetString()!;");
                w.Line("r.Read();");
                EmitAdd(w, t.Element!, value => $"{map}[{key}] = {value};", depth);
                w.Close();
                w.Line($"{target} = {map};");
                w.Close();
                break;
            }
            default:
                w.Line($"{target} = {ReadExpression(t)};");
                break;
        }
    }

    /// <summary>Reads an item of a list or a value of a map and stores it with <paramref name="store"/>, as
    /// System.Text.Json did: a JSON null stays null for reference types, is a null JsonElement, and is refused for the
    /// other value types (numbers, booleans, Quantity, IntOrString).</summary>
    private static void EmitAdd(CodeWriter w, CsType item, Func<string, string> store, int depth)
    {
        if (item.Kind is WireKind.List or WireKind.Map)
        {
            var local = $"e{depth}";
            w.Line($"{item.Name}? {local} = null;");
            EmitRead(w, item, local, depth + 1);
            w.Line(store(local + "!"));
        }
        else if (item.Kind == WireKind.Json) w.Line(store("JsonElement.ParseValue(ref r)"));
        else if (item.IsValueType) w.Line(store($"{ReadExpression(item)} ?? throw M.NullItem({CodeWriter.Literal(item.Name)})"));
        else w.Line(store(ReadExpression(item) + "!"));
    }

    /// <summary>Statements that write <paramref name="value"/>, which is not null.</summary>
    private static void EmitWrite(CodeWriter w, CsType t, string value, int depth)
    {
        switch (t.Kind)
        {
            case WireKind.Model: w.Line($"{value}.WriteJson(w);"); break;
            case WireKind.String: w.Line($"w.WriteStringValue({value});"); break;
            case WireKind.Boolean: w.Line($"w.WriteBooleanValue({value});"); break;
            case WireKind.Int32 or WireKind.Int64 or WireKind.Double: w.Line($"w.WriteNumberValue({value});"); break;
            case WireKind.Bytes: w.Line($"w.WriteBase64StringValue({value});"); break;
            case WireKind.Quantity: w.Line($"M.WriteQuantity(w, {value});"); break;
            case WireKind.IntOrString: w.Line($"M.WriteIntOrString(w, {value});"); break;
            case WireKind.Time: w.Line($"M.WriteTime(w, {value});"); break;
            case WireKind.MicroTime: w.Line($"M.WriteMicroTime(w, {value});"); break;
            case WireKind.Json: w.Line($"{value}.WriteTo(w);"); break;
            case WireKind.TimeMap: w.Line($"M.WriteTimeMap(w, {value});"); break;
            case WireKind.List:
            {
                var (index, item) = ($"i{depth}", $"e{depth}");
                w.Line("w.WriteStartArray();");
                w.Open($"for (var {index} = 0; {index} < {value}.Count; {index}++)");
                w.Line($"var {item} = {value}[{index}];");
                EmitItemWrite(w, t.Element!, item, depth);
                w.Close();
                w.Line("w.WriteEndArray();");
                break;
            }
            case WireKind.Map:
            {
                var (key, item) = ($"k{depth}", $"v{depth}");
                w.Line("w.WriteStartObject();");
                w.Open($"foreach (var ({key}, {item}) in {value})");
                w.Line($"w.WritePropertyName({key});");
                EmitItemWrite(w, t.Element!, item, depth);
                w.Close();
                w.Line("w.WriteEndObject();");
                break;
            }
            default: throw new InvalidOperationException($"{t.Name}: no write for {t.Kind}");
        }
    }

    /// <summary>An item of a list or map: reference types may be null in it, and are written as JSON null.</summary>
    private static void EmitItemWrite(CodeWriter w, CsType item, string value, int depth)
    {
        if (item.IsValueType)
        {
            EmitWrite(w, item, value, depth + 1);
            return;
        }
        w.Line($"if ({value} is null) w.WriteNullValue();");
        w.Open("else");
        EmitWrite(w, item, value, depth + 1);
        w.Close();
    }

    /// <summary>The roots and every class definition their properties reach (through arrays and maps too).</summary>
    public static HashSet<string> Closure(SwaggerDocument doc)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>();
        foreach (var root in Roots)
        {
            if (!doc.Definitions.ContainsKey(root)) throw new InvalidOperationException($"ModelJsonWriter.Roots: no definition {root}");
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
}
