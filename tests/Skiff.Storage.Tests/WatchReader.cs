namespace Skiff.Storage.Tests;

internal static class WatchReader
{
    /// <summary>Reads events until one at or above <paramref name="revision"/> arrives, or fails at the deadline.</summary>
    public static async Task<List<WatchEvent>> ReadUntilAsync(IStoreWatch watch, long revision, int seconds = 20)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        var events = new List<WatchEvent>();
        while (events.Count == 0 || events[^1].Revision < revision)
        {
            try
            {
                events.Add(await watch.Events.ReadAsync(cts.Token));
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"watch stalled at {(events.Count == 0 ? 0 : events[^1].Revision)}, wanted {revision}");
            }
        }
        return events;
    }

    /// <summary>Asserts the events are exactly the revisions (after, last], each once, in order.</summary>
    public static void AssertContiguous(List<WatchEvent> events, long after, long last)
    {
        var revisions = events.Select(e => e.Revision).ToArray();
        Assert.Equal(Enumerable.Range((int)after + 1, (int)(last - after)).Select(i => (long)i), revisions);
    }
}
