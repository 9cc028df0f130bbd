using Skiff.Agent.Images;
using Skiff.Agent.Tests.Support;

namespace Skiff.Agent.Tests.Images;

public sealed class AirgapImporterTests
{
    /// <summary>Records what it was asked to load; fails for names containing "broken".</summary>
    private sealed class FakeLoader : IImageArchiveLoader
    {
        private readonly List<string> _loaded = [];
        public IReadOnlyList<string> Loaded { get { lock (_loaded) return _loaded.ToList(); } }

        public Task<IReadOnlyList<string>> LoadAsync(string archivePath, CancellationToken ct)
        {
            lock (_loaded) _loaded.Add(Path.GetFileName(archivePath));
            if (archivePath.Contains("broken")) throw new ImageImportException("not an image archive");
            return Task.FromResult<IReadOnlyList<string>>(["docker.io/library/" + Path.GetFileName(archivePath).Split('.')[0] + ":latest"]);
        }
    }

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;
        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static readonly DateTime Past = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private static string Archive(TempDir dir, string name, string content = "x", DateTime? modified = null)
    {
        var path = dir.Combine(name);
        File.WriteAllText(path, content);
        File.SetLastWriteTimeUtc(path, modified ?? Past);
        return path;
    }

    [Fact]
    public async Task Each_archive_is_imported_once_and_other_files_are_ignored()
    {
        using var dir = new TempDir();
        Archive(dir, "busybox.tar");
        Archive(dir, "pause.tar.gz");
        Archive(dir, "extra.tgz");
        Archive(dir, "README.md");
        Archive(dir, "busybox.tar.partial");
        var loader = new FakeLoader();
        var importer = new AirgapImporter(dir.Path, loader, new TestLogger<AirgapImporter>());

        var first = await importer.ImportChangedAsync(CancellationToken.None);
        var second = await importer.ImportChangedAsync(CancellationToken.None);

        Assert.Equal(["busybox.tar", "extra.tgz", "pause.tar.gz"], loader.Loaded);
        Assert.Equal(["docker.io/library/busybox:latest"], first[0].Images);
        Assert.Empty(second);
        // What was imported is pinned against image garbage collection.
        Assert.Equal(["docker.io/library/busybox:latest", "docker.io/library/extra:latest", "docker.io/library/pause:latest"], importer.ImportedImages.Order());
    }

    [Fact]
    public async Task A_changed_archive_is_imported_again()
    {
        using var dir = new TempDir();
        var path = Archive(dir, "busybox.tar");
        var loader = new FakeLoader();
        var importer = new AirgapImporter(dir.Path, loader, new TestLogger<AirgapImporter>());
        await importer.ImportChangedAsync(CancellationToken.None);

        File.SetLastWriteTimeUtc(path, Past.AddHours(1));
        await importer.ImportChangedAsync(CancellationToken.None);
        Archive(dir, "busybox.tar", "longer content", Past.AddHours(1));
        await importer.ImportChangedAsync(CancellationToken.None);

        Assert.Equal(["busybox.tar", "busybox.tar", "busybox.tar"], loader.Loaded);
    }

    [Fact]
    public async Task A_broken_archive_is_reported_and_not_retried_until_it_changes()
    {
        using var dir = new TempDir();
        var path = Archive(dir, "broken.tar");
        var loader = new FakeLoader();
        var importer = new AirgapImporter(dir.Path, loader, new TestLogger<AirgapImporter>());

        var outcome = Assert.Single(await importer.ImportChangedAsync(CancellationToken.None));
        Assert.False(outcome.Succeeded);
        Assert.Equal("not an image archive", outcome.Error);
        Assert.False(importer.Ledger.Outcome(path));
        Assert.Empty(importer.ImportedImages);
        Assert.Empty(await importer.ImportChangedAsync(CancellationToken.None));

        File.SetLastWriteTimeUtc(path, Past.AddMinutes(5));
        Assert.Single(await importer.ImportChangedAsync(CancellationToken.None));
        Assert.Equal(2, loader.Loaded.Count);
    }

    [Fact]
    public async Task A_file_still_being_written_waits_until_it_settles()
    {
        using var dir = new TempDir();
        var clock = new ManualClock(new DateTimeOffset(Past));
        Archive(dir, "busybox.tar", modified: Past.AddMilliseconds(-200));
        var loader = new FakeLoader();
        var importer = new AirgapImporter(dir.Path, loader, new TestLogger<AirgapImporter>())
        {
            Clock = clock,
            SettleTime = TimeSpan.FromSeconds(1),
        };

        Assert.Empty(await importer.ImportChangedAsync(CancellationToken.None));
        clock.Now = clock.Now.AddSeconds(2);
        Assert.Single(await importer.ImportChangedAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Removed_archives_are_forgotten_so_a_copy_put_back_is_imported()
    {
        using var dir = new TempDir();
        var path = Archive(dir, "busybox.tar");
        var loader = new FakeLoader();
        var importer = new AirgapImporter(dir.Path, loader, new TestLogger<AirgapImporter>());
        await importer.ImportChangedAsync(CancellationToken.None);

        File.Delete(path);
        await importer.ImportChangedAsync(CancellationToken.None);
        Assert.Equal(0, importer.Ledger.Count);
        Archive(dir, "busybox.tar");
        await importer.ImportChangedAsync(CancellationToken.None);

        Assert.Equal(2, loader.Loaded.Count);
    }

    [Fact]
    public async Task Running_imports_at_start_and_when_an_archive_appears()
    {
        using var dir = new TempDir();
        Archive(dir, "first.tar");
        var loader = new FakeLoader();
        var importer = new AirgapImporter(dir.Path, loader, new TestLogger<AirgapImporter>())
        {
            SettleTime = TimeSpan.FromMilliseconds(100),
            PollInterval = TimeSpan.FromMinutes(10), // only the watcher can notice the new file in time
        };
        using var cts = new CancellationTokenSource();
        Assert.False(importer.FirstScanDone);
        var run = importer.RunAsync(cts.Token);
        try
        {
            await Eventually.WaitAsync(() => loader.Loaded.Contains("first.tar"), TimeSpan.FromSeconds(20), "the import at start");
            await Eventually.WaitAsync(() => importer.FirstScanDone, TimeSpan.FromSeconds(20), "the first scan to be over");

            File.WriteAllText(dir.Combine("second.tar"), "y");

            await Eventually.WaitAsync(() => loader.Loaded.Contains("second.tar"), TimeSpan.FromSeconds(20), "the new archive's import");
            Assert.Equal(1, loader.Loaded.Count(n => n == "first.tar"));
        }
        finally
        {
            cts.Cancel();
            await run;
        }
    }

    [Fact]
    public void Ctr_output_names_the_imported_images()
    {
        const string output = """
            unpacking docker.io/library/busybox:latest (sha256:2f5b1c6c15ab411293ce9bf024418a3c883773eaa902a4a391bc69365aca3e13)...done
            unpacking docker.io/library/busybox:1.35 (sha256:2f5b1c6c15ab411293ce9bf024418a3c883773eaa902a4a391bc69365aca3e13)...done
            """;
        Assert.Equal(["docker.io/library/busybox:latest", "docker.io/library/busybox:1.35"], CtrImageLoader.ParseImported(output));
        Assert.True(CtrImageLoader.IsGzip("a.TAR.GZ"));
        Assert.False(AirgapImporter.IsArchive("a.tar.zst"));
    }
}
