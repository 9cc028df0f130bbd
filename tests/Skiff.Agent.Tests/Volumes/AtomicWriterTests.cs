using System.Text;
using Skiff.Agent.Tests.Support;
using Skiff.Agent.Volumes;

namespace Skiff.Agent.Tests.Volumes;

public sealed class AtomicWriterTests
{
    private static FileProjection F(string path, string text, int mode = 0x1A4) => new(path, Encoding.UTF8.GetBytes(text), mode);

    [Fact]
    public void Files_live_in_a_timestamped_dir_behind_the_data_link()
    {
        using var dir = new TempDir();
        var target = dir.Combine("vol");

        Assert.True(new AtomicWriter(target).Write([F("a", "one"), F("sub/b", "two", 0x180)]));

        var data = new FileInfo(Path.Combine(target, "..data")).LinkTarget;
        Assert.NotNull(data);
        Assert.StartsWith("..", data);
        Assert.False(Path.IsPathRooted(data), "the data link is relative, so it works inside the container too");
        Assert.Equal("..data/a", new FileInfo(Path.Combine(target, "a")).LinkTarget);
        Assert.Equal("..data/sub", new DirectoryInfo(Path.Combine(target, "sub")).LinkTarget);
        Assert.Equal("one", File.ReadAllText(Path.Combine(target, "a")));
        Assert.Equal("two", File.ReadAllText(Path.Combine(target, "sub", "b")));
        Assert.Equal((UnixFileMode)0x1A4, File.GetUnixFileMode(Path.Combine(target, data, "a")));
        Assert.Equal((UnixFileMode)0x180, File.GetUnixFileMode(Path.Combine(target, data, "sub", "b")));
        Assert.Equal((UnixFileMode)0x1ED, File.GetUnixFileMode(Path.Combine(target, data, "sub")));
    }

    [Fact]
    public void An_update_swaps_the_data_link_and_removes_the_old_files_and_links()
    {
        using var dir = new TempDir();
        var target = dir.Combine("vol");
        var writer = new AtomicWriter(target);
        writer.Write([F("a", "one"), F("gone", "x")]);
        var first = new FileInfo(Path.Combine(target, "..data")).LinkTarget!;

        Assert.True(writer.Write([F("a", "changed"), F("new", "y")]));

        var second = new FileInfo(Path.Combine(target, "..data")).LinkTarget!;
        Assert.NotEqual(first, second);
        Assert.False(Directory.Exists(Path.Combine(target, first)), "the old generation is removed");
        Assert.Equal("changed", File.ReadAllText(Path.Combine(target, "a")));
        Assert.Equal("y", File.ReadAllText(Path.Combine(target, "new")));
        Assert.False(File.Exists(Path.Combine(target, "gone")));
        Assert.Null(new FileInfo(Path.Combine(target, "gone")).LinkTarget);
        Assert.False(File.Exists(Path.Combine(target, "..data_tmp")));
        Assert.Equal(new[] { "..data", "a", "new", second }.Order(StringComparer.Ordinal), Directory.EnumerateFileSystemEntries(target).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!);
    }

    [Fact]
    public void Unchanged_content_is_not_rewritten_but_a_mode_change_is()
    {
        using var dir = new TempDir();
        var target = dir.Combine("vol");
        var writer = new AtomicWriter(target);
        writer.Write([F("a", "one")]);
        var first = new FileInfo(Path.Combine(target, "..data")).LinkTarget;

        Assert.False(writer.Write([F("a", "one")]));
        Assert.Equal(first, new FileInfo(Path.Combine(target, "..data")).LinkTarget);

        Assert.True(writer.Write([F("a", "one", 0x100)]));
        Assert.NotEqual(first, new FileInfo(Path.Combine(target, "..data")).LinkTarget);
    }

    [Fact]
    public void An_empty_set_leaves_an_empty_volume()
    {
        using var dir = new TempDir();
        var target = dir.Combine("vol");
        new AtomicWriter(target).Write([F("a", "one")]);
        new AtomicWriter(target).Write([]);
        Assert.Empty(Directory.EnumerateFiles(target).Where(f => !Path.GetFileName(f).StartsWith("..")));
    }

    [Theory]
    [InlineData("/etc/passwd")]
    [InlineData("../escape")]
    [InlineData("a/../../escape")]
    [InlineData("..data")]
    [InlineData("")]
    public void Bad_paths_are_refused(string path)
    {
        using var dir = new TempDir();
        Assert.Throws<ArgumentException>(() => new AtomicWriter(dir.Combine("vol")).Write([F(path, "x")]));
    }

    [Fact]
    public void A_file_cannot_also_be_a_directory()
    {
        using var dir = new TempDir();
        Assert.Throws<ArgumentException>(() => new AtomicWriter(dir.Combine("vol")).Write([F("a", "x"), F("a/b", "y")]));
        Assert.Throws<ArgumentException>(() => new AtomicWriter(dir.Combine("vol")).Write([F("a", "x"), F("a", "y")]));
    }
}
