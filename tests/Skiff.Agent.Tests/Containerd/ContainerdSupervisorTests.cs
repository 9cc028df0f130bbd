using Skiff.Agent.Containerd;
using Skiff.Agent.Tests.Support;

namespace Skiff.Agent.Tests.Containerd;

public sealed class ContainerdSupervisorTests
{
    [RootFact]
    public async Task Stop_ends_containerd_and_removes_its_pid_file()
    {
        using var dir = new TempDir();
        var options = new AgentOptions { DataDir = dir.Path };
        var supervisor = new ContainerdSupervisor(options, new TestLogger<ContainerdSupervisor>());
        try
        {
            await supervisor.StartAsync(CancellationToken.None);
            var pid = supervisor.ProcessId!.Value;
            Assert.True(File.Exists(options.Paths.ContainerdPidFile));
            Assert.Contains("level=info", await File.ReadAllTextAsync(options.Paths.ContainerdLog));

            await supervisor.StopAsync();

            Assert.Null(supervisor.ProcessId);
            Assert.False(File.Exists($"/proc/{pid}/cmdline") && !IsZombie(pid), "containerd still running after stop");
            Assert.False(File.Exists(options.Paths.ContainerdPidFile));
            Assert.Equal(1, supervisor.Starts);
        }
        finally
        {
            await supervisor.StopAsync();
            await Host.UnmountAllUnderAsync(dir.Path);
        }
    }

    [Fact]
    public async Task A_containerd_that_never_serves_fails_start_with_its_log()
    {
        using var dir = new TempDir();
        var options = new AgentOptions { DataDir = dir.Path, ContainerdPath = "/bin/false" };
        var log = new TestLogger<ContainerdSupervisor>();
        await using var supervisor = new ContainerdSupervisor(options, log, new SupervisorTimings
        {
            StartTimeout = TimeSpan.FromSeconds(2),
            InitialRestartDelay = TimeSpan.FromMilliseconds(100),
            MaxRestartDelay = TimeSpan.FromMilliseconds(400),
        });

        var error = await Assert.ThrowsAsync<ContainerdStartException>(() => supervisor.StartAsync(CancellationToken.None));

        Assert.Contains(options.Paths.ContainerdSocket, error.Message);
        Assert.True(supervisor.Starts >= 2, $"restarted with backoff (started {supervisor.Starts} times)");
        Assert.Contains(log.Lines, l => l.Contains("containerd exited (code 1)"));
        Assert.True(File.Exists(options.Paths.ContainerdConfig));
    }

    [Fact]
    public async Task Containerd_accepts_the_generated_config()
    {
        if (!File.Exists("/usr/bin/containerd")) return; // install-deps.sh installs it; nothing to check against without it
        using var dir = new TempDir();
        var options = new AgentOptions { DataDir = dir.Path };
        var path = dir.Combine("config.toml");
        await File.WriteAllTextAsync(path, ContainerdConfig.For(options, CgroupDriver.Cgroupfs).Render());

        var (exit, stdout, stderr) = await Host.RunAsync("containerd", "--config", path, "config", "dump");

        Assert.True(exit == 0, stderr);
        Assert.Contains($"sandbox_image = \"{options.PauseImage}\"", stdout);
        Assert.Contains($"conf_dir = \"{options.Paths.CniConfDir}\"", stdout);
        Assert.Contains("SystemdCgroup = false", stdout);
        Assert.Contains("netns_mounts_under_state_dir = true", stdout);
    }

    private static bool IsZombie(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/stat").Split(") ")[1].StartsWith('Z'); }
        catch (IOException) { return false; }
    }
}
