using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Skiff.Agent.Kubelet;

/// <summary>
/// The machine as the node reports it, read from /proc, /sys and the cgroup hierarchy: CPU count,
/// memory (the smaller of MemTotal and the root memory cgroup's limit), the data dir's filesystem,
/// identity (machine-id, boot id, kernel, OS image) and the node's address. Immutable snapshot.
/// </summary>
public sealed record MachineInfo
{
    public int Cpus { get; init; }
    public long MemoryBytes { get; init; }
    public long EphemeralStorageBytes { get; init; }
    public string MachineId { get; init; } = "";
    public string SystemUuid { get; init; } = "";
    public string BootId { get; init; } = "";
    public string KernelVersion { get; init; } = "";
    public string OsImage { get; init; } = "";
    public string Architecture { get; init; } = "amd64";
    public string Hostname { get; init; } = "";

    public static MachineInfo Read(string dataDir)
    {
        var machineId = ReadFirst("/etc/machine-id", "/var/lib/dbus/machine-id");
        return new MachineInfo
        {
            Cpus = CountCpus(),
            MemoryBytes = Memory(),
            EphemeralStorageBytes = Storage(dataDir).Total,
            MachineId = machineId,
            SystemUuid = ReadFirst("/sys/class/dmi/id/product_uuid") is { Length: > 0 } u ? u : machineId,
            BootId = ReadFirst("/proc/sys/kernel/random/boot_id"),
            KernelVersion = ReadFirst("/proc/sys/kernel/osrelease"),
            OsImage = OsRelease(),
            Architecture = System.Runtime.InteropServices.RuntimeInformation.OSArchitecture switch
            {
                System.Runtime.InteropServices.Architecture.Arm64 => "arm64",
                System.Runtime.InteropServices.Architecture.Arm => "arm",
                _ => "amd64",
            },
            Hostname = Dns.GetHostName().ToLowerInvariant(),
        };
    }

    /// <summary>Total and available bytes of the filesystem holding <paramref name="path"/>.</summary>
    public static (long Total, long Available) Storage(string path)
    {
        Directory.CreateDirectory(path);
        var drive = new DriveInfo(path);
        return (drive.TotalSize, drive.AvailableFreeSpace);
    }

    private static int CountCpus()
    {
        try
        {
            var n = File.ReadLines("/proc/cpuinfo").Count(l => l.StartsWith("processor", StringComparison.Ordinal));
            if (n > 0) return n;
        }
        catch (IOException) { }
        return Environment.ProcessorCount;
    }

    private static long Memory()
    {
        var total = ProcMemInfo.Read().GetValueOrDefault("MemTotal");
        foreach (var file in new[] { "/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/memory.max" })
        {
            if (long.TryParse(ReadFirst(file), NumberStyles.None, CultureInfo.InvariantCulture, out var limit) && limit > 0 && limit < total)
                return limit;
        }
        return total;
    }

    private static string OsRelease()
    {
        try
        {
            foreach (var line in File.ReadLines("/etc/os-release"))
                if (line.StartsWith("PRETTY_NAME=", StringComparison.Ordinal)) return line["PRETTY_NAME=".Length..].Trim('"');
        }
        catch (IOException) { }
        return "Linux";
    }

    private static string ReadFirst(params string[] files)
    {
        foreach (var f in files)
        {
            try { if (File.Exists(f)) return File.ReadAllText(f).Trim(); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return "";
    }

    /// <summary>
    /// The node's InternalIP: the IPv4 address of the interface that holds the default route, else the first
    /// non-loopback IPv4 address of an interface that is up and not a pod bridge or veth, else 127.0.0.1.
    /// </summary>
    public static string DetectHostIp()
    {
        string? defaultIface = null;
        try
        {
            foreach (var line in File.ReadLines("/proc/net/route").Skip(1))
            {
                var f = line.Split('\t', StringSplitOptions.RemoveEmptyEntries);
                if (f.Length > 2 && f[1] == "00000000") { defaultIface = f[0]; break; }
            }
        }
        catch (IOException) { }
        var candidates = NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus is OperationalStatus.Up or OperationalStatus.Unknown && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .OrderByDescending(n => n.Name == defaultIface)
            .Where(n => n.Name == defaultIface || !(n.Name.StartsWith("veth", StringComparison.Ordinal) || n.Name.StartsWith("cni", StringComparison.Ordinal)
                || n.Name.StartsWith("skt", StringComparison.Ordinal) || n.Name.StartsWith("skf", StringComparison.Ordinal) || n.Name.StartsWith("docker", StringComparison.Ordinal)));
        foreach (var n in candidates)
            foreach (var a in n.GetIPProperties().UnicastAddresses)
                if (a.Address.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a.Address)) return a.Address.ToString();
        return "127.0.0.1";
    }
}
