using Skiff.Storage.LogStructured;
using Skiff.Storage.Sqlite;

namespace Skiff.Storage.Tests.LogStructured;

/// <summary>The real SQLite driver behind a write session that can be told to fail its next commit.</summary>
public sealed class FailingCommitTests
{
    private sealed class FlakyWriteSession(ILogWriteSession inner) : ILogWriteSession
    {
        public volatile bool FailNextCommit;
        public long ReadHighWaterMark() => inner.ReadHighWaterMark();
        public long ReadCompactRevision() => inner.ReadCompactRevision();
        public void Begin() => inner.Begin();
        public void Rollback() => inner.Rollback();
        public bool TryGetLatest(string key, out LogRow row) => inner.TryGetLatest(key, out row);
        public void Append(in LogRow row) => inner.Append(row);
        public void Compact(long afterRevision, long upToRevision) => inner.Compact(afterRevision, upToRevision);

        public void Commit()
        {
            if (FailNextCommit)
            {
                FailNextCommit = false;
                throw new IOException("fake: disk went away before commit");
            }
            inner.Commit();
        }
    }

    private sealed class FlakyDriver(SqliteLogDriver inner) : ILogDriver
    {
        public FlakyWriteSession Session { get; } = new(inner.Writer);
        public ILogWriteSession Writer => Session;
        public ILogReadSession RentReader() => inner.RentReader();
        public void Dispose() => inner.Dispose();
    }

    private sealed class FlakyStore(FlakyDriver driver) : LogStore(driver, new LogStoreOptions { CompactInterval = TimeSpan.Zero }, null);

    [Fact]
    public async Task AFailedCommitFailsItsWritesConsumesNoRevisionAndPublishesNothing()
    {
        var dir = Directory.CreateTempSubdirectory("skiff-store-test-").FullName;
        try
        {
            var driver = new FlakyDriver(new SqliteLogDriver(Path.Combine(dir, "state.db"), 2));
            await using var store = new FlakyStore(driver);
            using var watch = store.Watch("/", 0);
            Assert.True((await store.CreateAsync("/a", Bytes.Of("1"))).Succeeded);

            driver.Session.FailNextCommit = true;
            await Assert.ThrowsAsync<IOException>(() => store.CreateAsync("/b", Bytes.Of("2")));
            Assert.Equal(1, store.CurrentRevision);
            Assert.Null(await store.GetAsync("/b"));

            // The writer recovers: the next write commits and reuses the revision the failed one never got.
            var c = await store.CreateAsync("/c", Bytes.Of("3"));
            Assert.Equal(2, c.Revision);
            var events = await WatchReader.ReadUntilAsync(watch, 2);
            Assert.Equal(["/a", "/c"], events.Select(e => e.Value.Key));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
