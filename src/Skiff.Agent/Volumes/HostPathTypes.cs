namespace Skiff.Agent.Volumes;

/// <summary>hostPath.type: what must be at the path, and what "OrCreate" creates. Stateless.</summary>
public static class HostPathTypes
{
    public static void Check(string path, string? type)
    {
        switch (type ?? "")
        {
            case "":
                return;
            case "DirectoryOrCreate":
                if (!Directory.Exists(path))
                {
                    Directory.CreateDirectory(path);
                    File.SetUnixFileMode(path, (UnixFileMode)0x1ED);
                }
                return;
            case "Directory":
                if (!Directory.Exists(path)) throw new ArgumentException($"hostPath type check failed: {path} is not a directory");
                return;
            case "FileOrCreate":
                if (Directory.Exists(path)) throw new ArgumentException($"hostPath type check failed: {path} is not a file");
                if (!File.Exists(path))
                {
                    Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                    using (File.Create(path)) { }
                    File.SetUnixFileMode(path, (UnixFileMode)0x1A4);
                }
                return;
            case "File":
                if (!File.Exists(path)) throw new ArgumentException($"hostPath type check failed: {path} is not a file");
                return;
            case "Socket":
            case "CharDevice":
            case "BlockDevice":
                var kind = FileKind(path);
                if (kind != type) throw new ArgumentException($"hostPath type check failed: {path} is not a {Describe(type!)}");
                return;
            default:
                throw new ArgumentException($"unsupported hostPath type {type}");
        }
    }

    private static string Describe(string type) => type switch
    {
        "Socket" => "socket file",
        "CharDevice" => "character device",
        _ => "block device",
    };

    private static string? FileKind(string path) => Posix.FileType(path) switch
    {
        null => null,
        0xC000 => "Socket",
        0x2000 => "CharDevice",
        0x6000 => "BlockDevice",
        0x4000 => "Directory",
        _ => "File",
    };
}
