namespace Skiff.Client.Informers;

/// <summary>Cache and work-queue keys: "namespace/name", or "name" for cluster-scoped objects. Stateless; thread-safe.</summary>
public static class ObjectKey
{
    public static string For(string? ns, string name) => string.IsNullOrEmpty(ns) ? name : string.Concat(ns, "/", name);

    /// <summary>Splits a key made by <see cref="For"/>; the namespace is "" for cluster-scoped keys.</summary>
    public static (string Namespace, string Name) Split(string key)
    {
        var slash = key.IndexOf('/');
        return slash < 0 ? ("", key) : (key[..slash], key[(slash + 1)..]);
    }
}
