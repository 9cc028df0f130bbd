using System.Text;
using Skiff.Agent.Tests.Support;
using Skiff.Agent.Volumes;
using Skiff.Api.Models.Core.V1;
using Skiff.Api.Models.Meta.V1;
using AgentMount = Skiff.Agent.Volumes.VolumeMount;
using ApiMount = Skiff.Api.Models.Core.V1.VolumeMount;

namespace Skiff.Agent.Tests.Volumes;

public sealed class VolumeManagerTests
{
    private const string CaPem = "-----BEGIN CERTIFICATE-----\nfake\n-----END CERTIFICATE-----\n";

    private static Pod PodWith(List<Volume> volumes, List<ApiMount> mounts, string uid = "uid-1") => new()
    {
        Metadata = new ObjectMeta { Name = "web", Namespace = "shop", Uid = uid, Labels = new() { ["app"] = "web" } },
        Spec = new PodSpec
        {
            ServiceAccountName = "builder",
            Volumes = volumes,
            Containers = [new Container { Name = "main", VolumeMounts = mounts }],
        },
    };

    private static string Read(string path) => File.ReadAllText(path);

    [Fact]
    public async Task ConfigMaps_and_secrets_are_written_read_only_and_updated_atomically()
    {
        using var dir = new TempDir();
        var api = new FakeApi();
        api.Put("/api/v1/namespaces/shop/configmaps/settings", """{"kind":"ConfigMap","apiVersion":"v1","data":{"a.conf":"one"},"binaryData":{"bin":"AAE="}}""");
        api.Put("/api/v1/namespaces/shop/secrets/creds", """{"kind":"Secret","apiVersion":"v1","data":{"password":"aHVudGVyMg=="}}""");
        using var client = api.Client();
        var manager = new VolumeManager(client, dir.Path, new TestLogger<VolumeManager>(), CaPem) { MemoryBackedVolumes = false };
        var pod = PodWith(
        [
            new Volume { Name = "cfg", ConfigMap = new ConfigMapVolumeSource { Name = "settings" } },
            new Volume { Name = "sec", Secret = new SecretVolumeSource { SecretName = "creds", DefaultMode = 0x100 } },
        ],
        [
            new ApiMount { Name = "cfg", MountPath = "/etc/app" },
            new ApiMount { Name = "sec", MountPath = "/etc/secret" },
            new ApiMount { Name = "cfg", MountPath = "/etc/one.conf", SubPath = "a.conf" },
        ]);

        var mounts = await manager.SetUpAsync(pod, CancellationToken.None);

        var cfgDir = Path.Combine(dir.Path, "uid-1", "volumes", "kubernetes.io~configmap", "cfg");
        var secDir = Path.Combine(dir.Path, "uid-1", "volumes", "kubernetes.io~secret", "sec");
        Assert.Equal(new AgentMount("main", cfgDir, "/etc/app", true, null), mounts[0]);
        Assert.Equal(new AgentMount("main", secDir, "/etc/secret", true, null), mounts[1]);
        Assert.Equal("a.conf", mounts[2].SubPath);
        Assert.EndsWith("/a.conf", mounts[2].HostPath);
        Assert.Contains("/..", mounts[2].HostPath); // the subPath resolves to the real file in the current generation
        Assert.Equal("one", Read(Path.Combine(cfgDir, "a.conf")));
        Assert.Equal([0, 1], File.ReadAllBytes(Path.Combine(cfgDir, "bin")));
        Assert.Equal("hunter2", Read(Path.Combine(secDir, "password")));
        Assert.Equal((UnixFileMode)0x100, File.GetUnixFileMode(Path.Combine(secDir, "..data", "password")));

        api.Put("/api/v1/namespaces/shop/configmaps/settings", """{"kind":"ConfigMap","apiVersion":"v1","data":{"a.conf":"two"}}""");
        await manager.SetUpAsync(pod, CancellationToken.None);
        Assert.Equal("two", Read(Path.Combine(cfgDir, "a.conf")));
        Assert.False(File.Exists(Path.Combine(cfgDir, "bin")));

        await manager.TearDownAsync(pod, CancellationToken.None);
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "uid-1")));
    }

    [Fact]
    public async Task A_missing_source_fails_the_volume_unless_optional()
    {
        using var dir = new TempDir();
        var api = new FakeApi();
        using var client = api.Client();
        var manager = new VolumeManager(client, dir.Path, new TestLogger<VolumeManager>(), CaPem) { MemoryBackedVolumes = false };

        var failing = PodWith([new Volume { Name = "cfg", ConfigMap = new ConfigMapVolumeSource { Name = "nope" } }], []);
        var error = await Assert.ThrowsAsync<VolumeSetupException>(() => manager.SetUpAsync(failing, CancellationToken.None));
        Assert.Equal("cfg", error.Volume);
        Assert.Contains("configmap \"nope\" not found", error.Message);

        var optional = PodWith([new Volume { Name = "cfg", Secret = new SecretVolumeSource { SecretName = "nope", Optional = true } }],
            [new ApiMount { Name = "cfg", MountPath = "/x" }], "uid-2");
        var mounts = await manager.SetUpAsync(optional, CancellationToken.None);
        Assert.Single(mounts);
        Assert.Empty(Directory.EnumerateFiles(mounts[0].HostPath));
    }

    [Fact]
    public async Task The_service_account_volume_gets_a_bound_token_the_ca_and_the_namespace()
    {
        using var dir = new TempDir();
        var api = new FakeApi();
        using var client = api.Client();
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var manager = new VolumeManager(client, dir.Path, new TestLogger<VolumeManager>(), CaPem, clock) { MemoryBackedVolumes = false };
        // What upstream's ServiceAccount admission adds (kube-api-access-xxxxx).
        var pod = PodWith(
        [
            new Volume
            {
                Name = "kube-api-access",
                Projected = new ProjectedVolumeSource
                {
                    DefaultMode = 0x1A4,
                    Sources =
                    [
                        new VolumeProjection { ServiceAccountToken = new ServiceAccountTokenProjection { Path = "token", ExpirationSeconds = 3607 } },
                        new VolumeProjection { ConfigMap = new ConfigMapProjection { Name = "kube-root-ca.crt", Items = [new KeyToPath { Key = "ca.crt", Path = "ca.crt" }] } },
                        new VolumeProjection { DownwardAPI = new DownwardAPIProjection { Items = [new DownwardAPIVolumeFile { Path = "namespace", FieldRef = new ObjectFieldSelector { FieldPath = "metadata.namespace" } }] } },
                    ],
                },
            },
        ], [new ApiMount { Name = "kube-api-access", MountPath = "/var/run/secrets/kubernetes.io/serviceaccount", ReadOnly = true }]);

        var mounts = await manager.SetUpAsync(pod, CancellationToken.None);
        var volume = mounts[0].HostPath;
        Assert.EndsWith("kubernetes.io~projected/kube-api-access", volume);
        Assert.Equal("token-1", Read(Path.Combine(volume, "token")));
        Assert.Equal(CaPem, Read(Path.Combine(volume, "ca.crt")));
        Assert.Equal("shop", Read(Path.Combine(volume, "namespace")));
        Assert.Contains("POST /api/v1/namespaces/shop/serviceaccounts/builder/token", api.Requests);

        // Within 80% of the lifetime the token is reused; past it, a new one replaces it.
        clock.Advance(TimeSpan.FromMinutes(30));
        await manager.SetUpAsync(pod, CancellationToken.None);
        Assert.Equal(1, api.TokensIssued);
        clock.Advance(TimeSpan.FromMinutes(20));
        await manager.SetUpAsync(pod, CancellationToken.None);
        Assert.Equal(2, api.TokensIssued);
        Assert.Equal("token-2", Read(Path.Combine(volume, "token")));
    }

    [Fact]
    public async Task Claims_bound_to_local_volumes_mount_the_local_path()
    {
        using var dir = new TempDir();
        var local = Directory.CreateDirectory(Path.Combine(dir.Path, "disk1")).FullName;
        var api = new FakeApi();
        api.Put("/api/v1/namespaces/shop/persistentvolumeclaims/data", """{"kind":"PersistentVolumeClaim","apiVersion":"v1","spec":{"volumeName":"pv-1"},"status":{"phase":"Bound"}}""");
        api.Put("/api/v1/persistentvolumes/pv-1", "{\"kind\":\"PersistentVolume\",\"apiVersion\":\"v1\",\"spec\":{\"local\":{\"path\":\"" + local + "\"}}}");
        api.Put("/api/v1/namespaces/shop/persistentvolumeclaims/pending", """{"kind":"PersistentVolumeClaim","apiVersion":"v1","spec":{},"status":{"phase":"Pending"}}""");
        using var client = api.Client();
        var manager = new VolumeManager(client, Path.Combine(dir.Path, "pods"), new TestLogger<VolumeManager>(), CaPem) { MemoryBackedVolumes = false };

        var mounts = await manager.SetUpAsync(PodWith(
            [new Volume { Name = "data", PersistentVolumeClaim = new PersistentVolumeClaimVolumeSource { ClaimName = "data" } }],
            [new ApiMount { Name = "data", MountPath = "/data", SubPath = "app" }]), CancellationToken.None);
        Assert.Equal(new AgentMount("main", Path.Combine(local, "app"), "/data", false, "app"), mounts[0]);
        Assert.True(Directory.Exists(Path.Combine(local, "app")));

        var error = await Assert.ThrowsAsync<VolumeSetupException>(() => manager.SetUpAsync(PodWith(
            [new Volume { Name = "p", PersistentVolumeClaim = new PersistentVolumeClaimVolumeSource { ClaimName = "pending" } }], []), CancellationToken.None));
        Assert.Contains("not bound", error.Message);
    }

    [Fact]
    public async Task EmptyDir_and_hostPath_volumes_and_their_checks()
    {
        using var dir = new TempDir();
        var api = new FakeApi();
        using var client = api.Client();
        var manager = new VolumeManager(client, Path.Combine(dir.Path, "pods"), new TestLogger<VolumeManager>(), CaPem) { MemoryBackedVolumes = false };
        var host = Path.Combine(dir.Path, "host", "made");
        var pod = PodWith(
        [
            new Volume { Name = "scratch", EmptyDir = new EmptyDirVolumeSource() },
            new Volume { Name = "host", HostPath = new HostPathVolumeSource { Path = host, Type = "DirectoryOrCreate" } },
        ],
        [
            new ApiMount { Name = "scratch", MountPath = "/scratch" },
            new ApiMount { Name = "host", MountPath = "/host", ReadOnly = true },
            new ApiMount { Name = "scratch", MountPath = "/escape", SubPath = "../x" },
        ]);

        var error = await Assert.ThrowsAsync<VolumeSetupException>(() => manager.SetUpAsync(pod, CancellationToken.None));
        Assert.Contains("..", error.Message);

        pod.Spec!.Containers![0].VolumeMounts!.RemoveAt(2);
        var mounts = await manager.SetUpAsync(pod, CancellationToken.None);
        Assert.Equal((UnixFileMode)0x1FF, File.GetUnixFileMode(mounts[0].HostPath));
        Assert.False(mounts[0].ReadOnly);
        Assert.Equal(new AgentMount("main", host, "/host", true, null), mounts[1]);
        Assert.True(Directory.Exists(host));

        var wrongType = PodWith([new Volume { Name = "f", HostPath = new HostPathVolumeSource { Path = host, Type = "File" } }], [], "uid-3");
        Assert.Contains("not a file", (await Assert.ThrowsAsync<VolumeSetupException>(() => manager.SetUpAsync(wrongType, CancellationToken.None))).Message);

        await manager.TearDownAsync(pod, CancellationToken.None);
        Assert.True(Directory.Exists(host), "teardown never touches host paths");
        Assert.False(Directory.Exists(Path.GetDirectoryName(Path.GetDirectoryName(mounts[0].HostPath))));
    }

    [Theory]
    [InlineData(null, null, null, null)]
    [InlineData(1024.0, null, null, 1024L)] // no limits: the node's allocatable memory
    [InlineData(1024.0, 512L, null, 512L)] // the pod's memory limit when smaller
    [InlineData(1024.0, 512L, 256.0, 256L)] // the volume's sizeLimit when smaller still
    [InlineData(1024.0, 512L, 800.0, 512L)] // a sizeLimit above the pod's limit does not raise it
    [InlineData(1024.0, null, 4096.0, 1024L)] // nor above the node's
    [InlineData(null, null, 100.5, 101L)]
    public void A_memory_emptyDirs_size_is_the_smallest_of_node_pod_and_volume(double? node, long? pod, double? sizeLimit, long? expected) =>
        Assert.Equal(expected, VolumeManager.MemoryVolumeSize((decimal?)node, pod, (decimal?)sizeLimit));

    [RootFact]
    public async Task A_memory_emptyDir_is_bounded_by_the_pods_memory_limit_below_its_size_limit()
    {
        using var dir = new TempDir();
        var api = new FakeApi();
        using var client = api.Client();
        var manager = new VolumeManager(client, Path.Combine(dir.Path, "pods"), new TestLogger<VolumeManager>(), CaPem) { PodMemoryLimit = _ => 4L << 20 };
        var pod = PodWith([new Volume { Name = "mem", EmptyDir = new EmptyDirVolumeSource { Medium = "Memory", SizeLimit = "8Mi" } }],
            [new ApiMount { Name = "mem", MountPath = "/mem" }]);
        try
        {
            var path = (await manager.SetUpAsync(pod, CancellationToken.None))[0].HostPath;
            Assert.Contains("size=4096k", File.ReadLines("/proc/self/mountinfo").Single(l => l.Split(' ')[4] == path));
            await manager.TearDownAsync(pod, CancellationToken.None);
        }
        finally
        {
            await Host.UnmountAllUnderAsync(dir.Path);
        }
    }

    [RootFact]
    public async Task A_memory_emptyDir_is_a_tmpfs_of_its_size_limit_and_is_unmounted_on_teardown()
    {
        using var dir = new TempDir();
        var api = new FakeApi();
        using var client = api.Client();
        var manager = new VolumeManager(client, Path.Combine(dir.Path, "pods"), new TestLogger<VolumeManager>(), CaPem);
        var pod = PodWith([new Volume { Name = "mem", EmptyDir = new EmptyDirVolumeSource { Medium = "Memory", SizeLimit = "8Mi" } }],
            [new ApiMount { Name = "mem", MountPath = "/mem" }]);
        try
        {
            var mounts = await manager.SetUpAsync(pod, CancellationToken.None);
            var path = mounts[0].HostPath;
            var line = File.ReadLines("/proc/self/mountinfo").Single(l => l.Split(' ')[4] == path);
            Assert.Contains(" - tmpfs ", line);
            Assert.Contains("size=8192k", line);
            await File.WriteAllTextAsync(Path.Combine(path, "f"), "in memory");

            await manager.SetUpAsync(pod, CancellationToken.None); // idempotent: no second mount on top
            Assert.Single(File.ReadLines("/proc/self/mountinfo"), l => l.Split(' ')[4] == path);
            Assert.Equal("in memory", await File.ReadAllTextAsync(Path.Combine(path, "f")));

            await manager.TearDownAsync(pod, CancellationToken.None);
            Assert.DoesNotContain(File.ReadLines("/proc/self/mountinfo"), l => l.Contains(dir.Path));
            Assert.False(Directory.Exists(path));
        }
        finally
        {
            await Host.UnmountAllUnderAsync(dir.Path);
        }
    }

    [RootFact]
    public async Task Secret_downwardApi_and_projected_volumes_are_tmpfs_and_configMaps_stay_on_disk()
    {
        using var dir = new TempDir();
        var api = new FakeApi();
        api.Put("/api/v1/namespaces/shop/configmaps/settings", """{"kind":"ConfigMap","apiVersion":"v1","data":{"a.conf":"one"}}""");
        api.Put("/api/v1/namespaces/shop/secrets/creds", """{"kind":"Secret","apiVersion":"v1","data":{"password":"aHVudGVyMg=="}}""");
        using var client = api.Client();
        var pods = Path.Combine(dir.Path, "pods");
        var manager = new VolumeManager(client, pods, new TestLogger<VolumeManager>(), CaPem) { PodMemoryLimit = _ => 4L << 20 };
        var pod = PodWith(
        [
            new Volume { Name = "cfg", ConfigMap = new ConfigMapVolumeSource { Name = "settings" } },
            new Volume { Name = "sec", Secret = new SecretVolumeSource { SecretName = "creds" } },
            new Volume { Name = "labels", DownwardAPI = new DownwardAPIVolumeSource { Items = [new DownwardAPIVolumeFile { Path = "labels", FieldRef = new ObjectFieldSelector { FieldPath = "metadata.labels" } }] } },
            new Volume { Name = "both", Projected = new ProjectedVolumeSource { Sources = [new VolumeProjection { Secret = new SecretProjection { Name = "creds" } }] } },
        ],
        [new ApiMount { Name = "cfg", MountPath = "/c" }, new ApiMount { Name = "sec", MountPath = "/s" }, new ApiMount { Name = "labels", MountPath = "/l" }, new ApiMount { Name = "both", MountPath = "/b" }]);
        // A secret volume an earlier Skiff wrote to disk for a pod that is still running stays where the container sees it.
        var legacy = PodWith([new Volume { Name = "sec", Secret = new SecretVolumeSource { SecretName = "creds" } }], [new ApiMount { Name = "sec", MountPath = "/s" }], uid: "uid-old");
        var legacyDir = Path.Combine(pods, "uid-old", "volumes", "kubernetes.io~secret", "sec");
        try
        {
            await new VolumeManager(client, pods, new TestLogger<VolumeManager>(), CaPem) { MemoryBackedVolumes = false }.SetUpAsync(legacy, CancellationToken.None);
            var mounts = await manager.SetUpAsync(pod, CancellationToken.None);
            string? Fs(string path) => File.ReadLines("/proc/self/mountinfo").Select(l => l.Split(' ')).Where(f => f[4] == path)
                .Select(f => f[Array.IndexOf(f, "-") + 1] + " " + f[^1]).SingleOrDefault();
            Assert.Null(Fs(mounts[0].HostPath)); // the configMap: files on the node's disk, as upstream
            foreach (var m in mounts.Skip(1))
            {
                Assert.Equal("tmpfs rw,size=4096k", Fs(m.HostPath)); // bounded by the pod's memory limit, as a medium Memory emptyDir
                Assert.Equal((UnixFileMode)0x3FF, File.GetUnixFileMode(m.HostPath)); // 1777, like upstream's drwxrwxrwt
            }
            Assert.Equal("hunter2", Read(Path.Combine(mounts[1].HostPath, "password")));
            Assert.Equal("app=\"web\"", Read(Path.Combine(mounts[2].HostPath, "labels")));
            Assert.Equal("hunter2", Read(Path.Combine(mounts[3].HostPath, "password")));

            await manager.SetUpAsync(pod, CancellationToken.None); // a resync mounts nothing on top
            Assert.Equal(3, File.ReadLines("/proc/self/mountinfo").Count(l => l.Contains(dir.Path)));

            await manager.SetUpAsync(legacy, CancellationToken.None);
            Assert.Null(Fs(legacyDir));
            Assert.Equal("hunter2", Read(Path.Combine(legacyDir, "..data", "password")));

            await manager.TearDownAsync(pod, CancellationToken.None);
            await manager.TearDownAsync(legacy, CancellationToken.None);
            Assert.DoesNotContain(File.ReadLines("/proc/self/mountinfo"), l => l.Contains(dir.Path));
            Assert.False(Directory.Exists(Path.Combine(pods, "uid-1")));
        }
        finally
        {
            await Host.UnmountAllUnderAsync(dir.Path);
        }
    }
}

/// <summary>A clock the test moves by hand.</summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;
    public override DateTimeOffset GetUtcNow() => _now;
    public void Advance(TimeSpan by) => _now += by;
}
