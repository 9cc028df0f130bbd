using System.Text;
using Skiff.Agent.Logs;
using Skiff.Agent.Tests.Support;

namespace Skiff.Agent.Tests.Logs;

public sealed class ContainerLogTests
{
    private const string File1 =
        "2026-01-01T10:00:00.123456789Z stdout F first\n" +
        "2026-01-01T10:00:01.000000000Z stderr P par\n" +
        "2026-01-01T10:00:01.500000000Z stderr F tial\n" +
        "not a cri line\n" +
        "2026-01-01T10:00:02Z stdout F third\n";

    [Fact]
    public void Cri_lines_parse_with_stream_tag_and_nanosecond_timestamps()
    {
        Assert.True(CriLogLine.TryParse(Encoding.UTF8.GetBytes("2026-01-01T10:00:00.123456789Z stdout F hello world"), out var line));
        Assert.Equal("2026-01-01T10:00:00.123456789Z", line.Timestamp);
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 10, 0, 0, TimeSpan.Zero).AddTicks(1234567), line.Time);
        Assert.Equal(("stdout", false, "hello world"), (line.Stream, line.Partial, Encoding.UTF8.GetString(line.Content.Span)));
        Assert.True(CriLogLine.TryParse(Encoding.UTF8.GetBytes("2026-01-01T10:00:00+02:00 stderr P "), out var empty));
        Assert.True(empty.Partial);
        Assert.Equal(0, empty.Content.Length);
        Assert.False(CriLogLine.TryParse(Encoding.UTF8.GetBytes("2026-01-01T10:00:00Z stdin F x"), out _));
        Assert.False(CriLogLine.TryParse(Encoding.UTF8.GetBytes("garbage"), out _));
    }

    private static async Task<string> Render(LogOptions options, DateTimeOffset? now = null)
    {
        using var dir = new TempDir();
        var path = dir.Combine("0.log");
        await File.WriteAllTextAsync(path, File1);
        var output = new MemoryStream();
        var writer = new ContainerLogWriter(now is null ? null : new FixedClock(now.Value));
        await writer.WriteAsync(path, options, output, _ => Task.FromResult(false), CancellationToken.None);
        return Encoding.UTF8.GetString(output.ToArray());
    }

    [Fact]
    public async Task Partial_lines_join_and_garbage_is_skipped() =>
        Assert.Equal("first\npartial\nthird\n", await Render(new LogOptions()));

    [Fact]
    public async Task Timestamps_are_the_files_own() =>
        Assert.StartsWith("2026-01-01T10:00:00.123456789Z first\n2026-01-01T10:00:01.000000000Z par2026-01-01T10:00:01.500000000Z tial\n",
            await Render(new LogOptions { Timestamps = true }));

    [Fact]
    public async Task Tail_counts_file_lines_from_the_end()
    {
        Assert.Equal("third\n", await Render(new LogOptions { TailLines = 1 }));
        Assert.Equal("tial\nthird\n", await Render(new LogOptions { TailLines = 3 }));
        Assert.Equal("first\npartial\nthird\n", await Render(new LogOptions { TailLines = 100 }));
        Assert.Equal("", await Render(new LogOptions { TailLines = 0 }));
    }

    [Fact]
    public async Task Since_and_limit_bytes_cut_the_output()
    {
        Assert.Equal("tial\nthird\n", await Render(new LogOptions { SinceTime = DateTimeOffset.Parse("2026-01-01T10:00:01.2Z") }));
        Assert.Equal("third\n", await Render(new LogOptions { SinceSeconds = 1 }, DateTimeOffset.Parse("2026-01-01T10:00:03Z")));
        Assert.Equal("first\np", await Render(new LogOptions { LimitBytes = 7 }));
    }

    [Fact]
    public void Options_parse_and_validate_as_upstream()
    {
        var q = new Dictionary<string, string> { ["follow"] = "true", ["tailLines"] = "5", ["timestamps"] = "1" };
        Assert.True(LogOptions.TryParse(q.GetValueOrDefault, out var o, out _));
        Assert.Equal((true, 5L, true, false), (o.Follow, o.TailLines, o.Timestamps, o.Previous));
        Assert.False(LogOptions.TryParse(new Dictionary<string, string> { ["limitBytes"] = "0" }.GetValueOrDefault, out _, out var error));
        Assert.Contains("limitBytes", error);
        Assert.False(LogOptions.TryParse(new Dictionary<string, string> { ["sinceSeconds"] = "3", ["sinceTime"] = "2026-01-01T00:00:00Z" }.GetValueOrDefault, out _, out _));
        Assert.False(LogOptions.TryParse(new Dictionary<string, string> { ["tailLines"] = "abc" }.GetValueOrDefault, out _, out _));
    }

    [Fact]
    public async Task Follow_reads_new_lines_until_the_container_stops()
    {
        using var dir = new TempDir();
        var path = dir.Combine("0.log");
        await File.WriteAllTextAsync(path, "2026-01-01T10:00:00Z stdout F one\n");
        var output = new MemoryStream();
        var running = true;
        var writer = new ContainerLogWriter { PollInterval = TimeSpan.FromMilliseconds(20) };
        var following = writer.WriteAsync(path, new LogOptions { Follow = true }, output, _ => Task.FromResult(running), CancellationToken.None);

        await Eventually.WaitAsync(() => Encoding.UTF8.GetString(output.ToArray()) == "one\n", TimeSpan.FromSeconds(10), "the first line");
        await File.AppendAllTextAsync(path, "2026-01-01T10:00:01Z stdout F two\n");
        await Eventually.WaitAsync(() => Encoding.UTF8.GetString(output.ToArray()) == "one\ntwo\n", TimeSpan.FromSeconds(10), "the appended line");
        Assert.False(following.IsCompleted);
        await File.AppendAllTextAsync(path, "2026-01-01T10:00:02Z stdout F last\n");
        running = false;
        await following.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("one\ntwo\nlast\n", Encoding.UTF8.GetString(output.ToArray()));
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
