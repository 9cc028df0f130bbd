using System.Text;

namespace Skiff.ApiServer.Pki;

/// <summary>
/// Writes files so that a reader sees the old content or the new, never a half-written file,
/// and so that a secret is never readable by others even for an instant (the temp file is
/// created with the final mode, not chmod-ed afterwards).
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="content"/> as UTF-8 to <paramref name="path"/> with <paramref name="mode"/>, creating the parent directory.</summary>
    public static void WriteAllText(string path, string content, UnixFileMode mode)
    {
        string fullPath = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(fullPath)!;
        Directory.CreateDirectory(directory);
        string temp = Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = mode;
            }
            using (var stream = new FileStream(temp, options))
            {
                byte[] bytes = Encoding.UTF8.GetBytes(content);
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }
            if (!OperatingSystem.IsWindows())
            {
                // The umask may have cleared bits the caller asked for (e.g. 0644 under umask 077).
                File.SetUnixFileMode(temp, mode);
            }
            File.Move(temp, fullPath, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
