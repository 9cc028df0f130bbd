using System.Diagnostics;

namespace Skiff.Agent.Tests.Support;

/// <summary>The repository checkout the tests run from, and the test images built in it.</summary>
public static class Repo
{
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Skiff.sln"))) return dir.FullName;
        throw new InvalidOperationException("Skiff.sln not found above " + AppContext.BaseDirectory);
    }

    private static readonly SemaphoreSlim BuildLock = new(1);

    /// <summary>
    /// The directory holding busybox.tar and skiff-pause.tar; scripts/test.sh builds them before the
    /// tests, and a test run on its own builds them here once.
    /// </summary>
    public static async Task<string> TestImagesAsync()
    {
        var dir = Path.Combine(Root, "out", "images");
        await BuildLock.WaitAsync();
        try
        {
            if (File.Exists(Path.Combine(dir, "busybox.tar")) && File.Exists(Path.Combine(dir, "skiff-pause.tar"))) return dir;
            var start = new ProcessStartInfo(Path.Combine(Root, "scripts", "build-test-images.sh"), dir)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0) throw new InvalidOperationException("build-test-images.sh failed: " + await stderr);
            return dir;
        }
        finally
        {
            BuildLock.Release();
        }
    }
}
