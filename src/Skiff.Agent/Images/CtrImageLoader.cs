using System.Diagnostics;
using System.IO.Compression;
using System.Text.RegularExpressions;

namespace Skiff.Agent.Images;

/// <summary>
/// Imports OCI and docker image archives into containerd's CRI namespace (k8s.io) with
/// <c>ctr images import</c>, since the agent has no containerd Go client. ctr 1.6 reads only
/// plain tar, so gzip archives are decompressed here and streamed to its stdin. Images are
/// unpacked into the default snapshotter, so CRI can start them at once.
/// </summary>
public sealed partial class CtrImageLoader(string ctrPath, string containerdSocket, string nameSpace = "k8s.io") : IImageArchiveLoader
{
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(10);

    public async Task<IReadOnlyList<string>> LoadAsync(string archivePath, CancellationToken ct)
    {
        var gzip = IsGzip(archivePath);
        var start = new ProcessStartInfo(ctrPath)
        {
            UseShellExecute = false,
            RedirectStandardInput = gzip,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            ArgumentList = { "--address", containerdSocket, "--namespace", nameSpace, "images", "import", gzip ? "-" : archivePath },
        };
        using var process = Process.Start(start) ?? throw new ImageImportException($"could not run {ctrPath}");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Timeout);
        try
        {
            var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
            if (gzip)
            {
                try
                {
                    await using var file = File.OpenRead(archivePath);
                    await using var unzipped = new GZipStream(file, CompressionMode.Decompress);
                    await unzipped.CopyToAsync(process.StandardInput.BaseStream, timeout.Token).ConfigureAwait(false);
                }
                catch (IOException) when (process.HasExited)
                {
                    // ctr stopped reading (a bad archive); its stderr says why.
                }
                catch (InvalidDataException e)
                {
                    throw new ImageImportException($"{archivePath}: not a valid gzip file: {e.Message}");
                }
                finally
                {
                    try { process.StandardInput.Close(); } catch (IOException) { }
                }
            }
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            var output = await stdout.ConfigureAwait(false);
            var errors = await stderr.ConfigureAwait(false);
            if (process.ExitCode != 0)
                throw new ImageImportException($"{archivePath}: ctr images import failed (exit {process.ExitCode}): {errors.Trim()}");
            return ParseImported(output);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new ImageImportException($"{archivePath}: import did not finish within {Timeout}");
        }
        finally
        {
            if (!process.HasExited) process.Kill();
        }
    }

    internal static bool IsGzip(string path) =>
        path.EndsWith(".tar.gz", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".tgz", StringComparison.OrdinalIgnoreCase);

    /// <summary>ctr prints "unpacking NAME (sha256:...)...done" per image.</summary>
    internal static IReadOnlyList<string> ParseImported(string output) =>
        UnpackingLine().Matches(output).Select(m => m.Groups[1].Value).Distinct().ToList();

    [GeneratedRegex(@"^unpacking (\S+) \(sha256:[0-9a-f]+\)", RegexOptions.Multiline)]
    private static partial Regex UnpackingLine();
}
