namespace Skiff.Storage;

/// <summary>
/// Ends a watch whose consumer fell too far behind: its buffer of undelivered events filled up.
/// The consumer should re-list and watch again from the list's revision, as clients do
/// after upstream's watch cache drops a slow watcher.
/// </summary>
public sealed class WatchOverflowException(int limit)
    : Exception($"watch fell more than {limit} events behind and was ended; re-list and watch again")
{
    public int Limit { get; } = limit;
}
