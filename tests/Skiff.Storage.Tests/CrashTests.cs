using System.Diagnostics;

namespace Skiff.Storage.Tests;

public sealed class CrashTests
{
    [Fact]
    public async Task EveryAcknowledgedWriteSurvivesSigkill()
    {
        await using var t = await TempStore.OpenAsync();
        await t.S.DisposeAsync(); // the child process owns the file until it is killed
        var acks = new List<(string Key, long Revision)>();

        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(BenchAssembly());
        psi.ArgumentList.Add("crash-writer");
        psi.ArgumentList.Add(t.DbPath);
        using var child = Process.Start(psi)!;
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (acks.Count < 500)
            {
                var line = await child.StandardOutput.ReadLineAsync(cts.Token)
                    ?? throw new InvalidOperationException("crash-writer exited early: " + await child.StandardError.ReadToEndAsync());
                if (line.StartsWith("ack ", StringComparison.Ordinal)) acks.Add(Parse(line));
            }
        }
        finally
        {
            child.Kill(); // SIGKILL on Unix: no chance to flush or checkpoint
            await child.WaitForExitAsync();
        }
        // Acks that reached the pipe before the kill count too.
        while (await child.StandardOutput.ReadLineAsync() is { } rest)
        {
            if (rest.StartsWith("ack ", StringComparison.Ordinal) && rest.Count(c => c == ' ') == 2) acks.Add(Parse(rest));
        }

        await t.ReopenAsync();
        foreach (var (key, revision) in acks)
        {
            var kv = await t.S.GetAsync(key);
            Assert.True(kv is not null, $"acknowledged {key} at {revision} is missing after SIGKILL");
            Assert.Equal(revision, kv.ModRevision);
        }
        Assert.True(t.S.CurrentRevision >= acks.Max(a => a.Revision));
    }

    private static (string, long) Parse(string line)
    {
        var parts = line.Split(' ');
        return (parts[1], long.Parse(parts[2]));
    }

    /// <summary>The bench's own build output (with its deps file), found beside this test's.</summary>
    private static string BenchAssembly()
    {
        // .../tests/Skiff.Storage.Tests/bin/<Configuration>/<tfm>/
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/'));
        var tfm = here.Name;
        var configuration = here.Parent!.Name;
        for (var dir = here; dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "bench", "Skiff.Bench", "bin", configuration, tfm, "Skiff.Bench.dll");
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException("Skiff.Bench.dll not found; build bench/Skiff.Bench first");
    }
}
