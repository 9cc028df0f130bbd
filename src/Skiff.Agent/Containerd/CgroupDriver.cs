namespace Skiff.Agent.Containerd;

/// <summary>Which cgroup manager the runtime must use: the host's, or the two fight over cgroups.</summary>
public enum CgroupDriver
{
    Cgroupfs,
    Systemd,
}

public static class CgroupDrivers
{
    /// <summary>
    /// systemd when systemd is the running init (the test sd_booted(3) makes), cgroupfs otherwise,
    /// as on this project's machines (no systemd, cgroup v1 with a v2 mount).
    /// </summary>
    public static CgroupDriver Detect(string systemdRunDir = "/run/systemd/system") =>
        Directory.Exists(systemdRunDir) ? CgroupDriver.Systemd : CgroupDriver.Cgroupfs;
}
