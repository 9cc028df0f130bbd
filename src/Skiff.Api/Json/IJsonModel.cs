using System.Text.Json;

namespace Skiff.Api.Json;

/// <summary>
/// A generated model with its own JSON code (tools/ModelGen's ModelJsonWriter): the models the typed code reads and
/// writes, and every model they reach. Read and write them through <see cref="ModelJson"/>.
/// </summary>
public interface IJsonModel<TSelf> where TSelf : class, IJsonModel<TSelf>
{
    /// <summary>Reads one object from the reader's current token (null for a JSON null), leaving the reader on its last token.</summary>
    static abstract TSelf? ReadJson(ref Utf8JsonReader reader);

    /// <summary>Writes this object as one JSON value.</summary>
    void WriteJson(Utf8JsonWriter writer);
}
