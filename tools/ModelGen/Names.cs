namespace Skiff.ModelGen;

/// <summary>Maps OpenAPI definition names ("io.k8s.api.apps.v1.Deployment") and JSON field names to C#
/// namespaces, class names and member names. Pure functions; thread-safe.</summary>
internal static class Names
{
    public const string ModelsNamespace = "Skiff.Api.Models";

    // Group package names that are several words run together; the rest are simply capitalised.
    private static readonly Dictionary<string, string> GroupWords = new(StringComparer.Ordinal)
    {
        ["admissionregistration"] = "AdmissionRegistration",
        ["apiserverinternal"] = "ApiServerInternal",
        ["flowcontrol"] = "FlowControl",
        ["storagemigration"] = "StorageMigration",
        ["apiextensions"] = "ApiExtensions",
        ["apiregistration"] = "ApiRegistration",
        ["rbac"] = "Rbac",
    };

    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "abstract", "as", "base", "bool", "break", "byte", "case", "catch", "char", "checked", "class", "const",
        "continue", "decimal", "default", "delegate", "do", "double", "else", "enum", "event", "explicit", "extern",
        "false", "finally", "fixed", "float", "for", "foreach", "goto", "if", "implicit", "in", "int", "interface",
        "internal", "is", "lock", "long", "namespace", "new", "null", "object", "operator", "out", "override",
        "params", "private", "protected", "public", "readonly", "ref", "return", "sbyte", "sealed", "short",
        "sizeof", "stackalloc", "static", "string", "struct", "switch", "this", "throw", "true", "try", "typeof",
        "uint", "ulong", "unchecked", "unsafe", "ushort", "using", "virtual", "void", "volatile", "while",
    };

    /// <summary>The namespace suffix ("Apps.V1", "Meta.V1", "ApiExtensions.V1") of a definition's package.</summary>
    public static string PackageSuffix(string definitionName)
    {
        var package = definitionName[..definitionName.LastIndexOf('.')];
        string group, version;
        if (package.StartsWith("io.k8s.api.", StringComparison.Ordinal))
        {
            var rest = package["io.k8s.api.".Length..].Split('.');
            (group, version) = (rest[0], rest[1]);
        }
        else if (package == "io.k8s.apimachinery.pkg.apis.meta.v1") (group, version) = ("meta", "v1");
        else if (package == "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1") (group, version) = ("apiextensions", "v1");
        else if (package == "io.k8s.kube-aggregator.pkg.apis.apiregistration.v1") (group, version) = ("apiregistration", "v1");
        // version.Info has no version of its own; "Version" would shadow System.Version in model code.
        else if (package == "io.k8s.apimachinery.pkg.version") return "ServerVersion";
        // Quantity, IntOrString and RawExtension map to hand-written or JSON types (see TypeMapper),
        // so their packages never become namespaces.
        else throw new InvalidOperationException($"No namespace rule for definition package '{package}'.");
        return $"{Group(group)}.{Capitalise(version)}";
    }

    public static string Namespace(string definitionName) => $"{ModelsNamespace}.{PackageSuffix(definitionName)}";

    public static string ClassName(string definitionName) => Identifier(definitionName[(definitionName.LastIndexOf('.') + 1)..]);

    public static string FullClassName(string definitionName) => $"global::{Namespace(definitionName)}.{ClassName(definitionName)}";

    private static string Group(string group) => GroupWords.TryGetValue(group, out var word) ? word : Capitalise(group);

    private static string Capitalise(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];

    /// <summary>PascalCase member name for a JSON field: "hostIPC" -> "HostIPC", "$ref" -> "Ref",
    /// "x-kubernetes-list-type" -> "XKubernetesListType".</summary>
    public static string PropertyName(string jsonName)
    {
        var parts = jsonName.Split(c => !char.IsLetterOrDigit(c));
        var name = string.Concat(parts.Where(p => p.Length > 0).Select(Capitalise));
        if (name.Length == 0 || char.IsDigit(name[0])) name = "_" + name;
        return Identifier(name);
    }

    public static string Identifier(string name) => Keywords.Contains(name) ? "@" + name : name;

    private static string[] Split(this string s, Func<char, bool> isSeparator)
    {
        var parts = new List<string>();
        var start = 0;
        for (var i = 0; i <= s.Length; i++)
        {
            if (i == s.Length || isSeparator(s[i]))
            {
                parts.Add(s[start..i]);
                start = i + 1;
            }
        }
        return parts.ToArray();
    }
}
