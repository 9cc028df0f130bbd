using Skiff.Storage.Sqlite;

namespace Skiff.Storage.Tests.Sqlite;

public sealed class DurabilitySettingsTests
{
    [Fact]
    public void WriterUsesWalWithFullSync()
    {
        // synchronous=NORMAL would still survive SIGKILL but not power loss; FULL fsyncs every commit.
        var dir = Directory.CreateTempSubdirectory("skiff-store-test-").FullName;
        try
        {
            using var driver = new SqliteLogDriver(Path.Combine(dir, "state.db"), 1);
            var session = (SqliteWriteSession)driver.Writer;
            Assert.Equal("wal", session.Pragma("journal_mode"));
            Assert.Equal("2", session.Pragma("synchronous"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
