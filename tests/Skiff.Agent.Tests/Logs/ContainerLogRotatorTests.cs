using System.IO.Compression;
using Skiff.Agent.Logs;
using Skiff.Agent.Tests.Support;

namespace Skiff.Agent.Tests.Logs;

public sealed class ContainerLogRotatorTests
{
    private sealed class Clock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;
        public override DateTimeOffset GetUtcNow() => Now;
        public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;
    }

    private static readonly DateTimeOffset T0 = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    /// <summary>A runtime that, asked to reopen, starts a new file at the path (as containerd does).</summary>
    private static Func<Task> Reopen(string path, List<string> calls) => () =>
    {
        calls.Add(path);
        File.WriteAllText(path, "");
        return Task.CompletedTask;
    };

    private static string Names(string dir) => string.Join(" ", Directory.EnumerateFiles(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));

    [Fact]
    public async Task A_log_over_its_size_is_rotated_the_rotated_ones_compressed_and_at_most_MaxFiles_kept()
    {
        using var dir = new TempDir();
        var path = dir.Combine("0.log");
        var clock = new Clock(T0);
        var rotator = new ContainerLogRotator(null!, new LogRotationPolicy(MaxSizeBytes: 100, MaxFiles: 3), new TestLogger<ContainerLogRotator>(), clock);
        var reopened = new List<string>();

        File.WriteAllText(path, new string('a', 99));
        Assert.False(await rotator.RotateAsync(path, Reopen(path, reopened))); // under the size
        Assert.Empty(reopened);

        File.WriteAllText(path, "first\n" + new string('a', 100));
        Assert.True(await rotator.RotateAsync(path, Reopen(path, reopened)));
        Assert.Equal("0.log 0.log.20261207-120000", Names(dir.Path));
        Assert.Equal(0, new FileInfo(path).Length); // the runtime writes a new file
        Assert.StartsWith("first\n", File.ReadAllText(dir.Combine("0.log.20261207-120000")));

        clock.Now = T0.AddSeconds(10);
        File.WriteAllText(path, new string('b', 200));
        Assert.True(await rotator.RotateAsync(path, Reopen(path, reopened)));
        Assert.Equal("0.log 0.log.20261207-120000.gz 0.log.20261207-120010", Names(dir.Path));
        await using (var gz = new GZipStream(File.OpenRead(dir.Combine("0.log.20261207-120000.gz")), CompressionMode.Decompress))
        using (var reader = new StreamReader(gz))
            Assert.StartsWith("first\n", await reader.ReadToEndAsync());

        clock.Now = T0.AddSeconds(20);
        File.WriteAllText(path, new string('c', 200));
        Assert.True(await rotator.RotateAsync(path, Reopen(path, reopened)));
        Assert.Equal("0.log 0.log.20261207-120010.gz 0.log.20261207-120020", Names(dir.Path)); // three files: the oldest went
        Assert.Equal(3, reopened.Count);
    }

    [Fact]
    public async Task A_failed_reopen_puts_the_file_back_and_leftovers_of_a_broken_pass_are_cleaned_up()
    {
        using var dir = new TempDir();
        var path = dir.Combine("0.log");
        var rotator = new ContainerLogRotator(null!, new LogRotationPolicy(MaxSizeBytes: 10, MaxFiles: 5), new TestLogger<ContainerLogRotator>(), new Clock(T0));
        File.WriteAllText(path, new string('a', 50));
        File.WriteAllText(dir.Combine("0.log.20261207-110000.gz.tmp"), "half a gzip");
        File.WriteAllText(dir.Combine("0.log.20261207-100000"), "compressed already");
        File.WriteAllText(dir.Combine("0.log.20261207-100000.gz"), "");
        File.WriteAllText(dir.Combine("1.log"), "another container instance's log");

        await Assert.ThrowsAsync<IOException>(() => rotator.RotateAsync(path, () => throw new IOException("reopen refused")));
        Assert.Equal(new string('a', 50), File.ReadAllText(path)); // still where the runtime writes and kubectl logs reads
        Assert.Equal("0.log 0.log.20261207-100000.gz 1.log", Names(dir.Path));
    }

    [Fact]
    public void Rotated_files_are_listed_oldest_first_without_temporaries_or_other_logs()
    {
        using var dir = new TempDir();
        foreach (var n in new[] { "0.log", "0.log.20261207-120010", "0.log.20261207-120000.gz", "0.log.x.tmp", "10.log.20261207-110000" })
            File.WriteAllText(dir.Combine(n), "");
        Assert.Equal(["0.log.20261207-120000.gz", "0.log.20261207-120010"], ContainerLogRotator.Rotated(dir.Combine("0.log")).Select(Path.GetFileName));
    }
}
