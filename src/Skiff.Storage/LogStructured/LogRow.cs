namespace Skiff.Storage.LogStructured;

/// <summary>
/// One row of the log: the write that produced <see cref="Revision"/>. A tombstone
/// (<see cref="Deleted"/>) carries the value the key had before it was deleted.
/// </summary>
/// <param name="PrevRevision">The revision of this key's previous row (0 if none): the row this one supersedes.</param>
public readonly record struct LogRow(
    long Revision, string Key, bool Created, bool Deleted, long CreateRevision, long PrevRevision, byte[] Value)
{
    public KeyValue ToKeyValue() => new(Key, Value, CreateRevision, Revision);
}
