using System.Reflection;
using System.Text.Json;
using Skiff.Api.Json;

namespace Skiff.ApiServer;

/// <summary>The Kubernetes API level and build of this server, as /version reports it.</summary>
public static class VersionInfo
{
    public const string KubernetesMajor = "1";
    public const string KubernetesMinor = "36";
    public const string KubernetesVersion = "v1.36.0";

    public static string SkiffVersion { get; } =
        typeof(VersionInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    /// <summary>"v1.36.0+skiff0.1.0", the gitVersion clients show.</summary>
    public static string GitVersion => $"{KubernetesVersion}+skiff{SkiffVersion}";

    public static byte[] Json { get; } = System.Text.Encoding.UTF8.GetBytes(new System.Text.Json.Nodes.JsonObject
    {
        ["major"] = KubernetesMajor,
        ["minor"] = KubernetesMinor,
        ["emulationMajor"] = KubernetesMajor,
        ["emulationMinor"] = KubernetesMinor,
        ["minCompatibilityMajor"] = KubernetesMajor,
        ["minCompatibilityMinor"] = "35",
        ["gitVersion"] = GitVersion,
        ["gitCommit"] = "",
        ["gitTreeState"] = "clean",
        ["buildDate"] = KubernetesTime.FormatTime(new DateTimeOffset(File.GetLastWriteTimeUtc(AppContext.BaseDirectory))),
        ["goVersion"] = "dotnet" + Environment.Version,
        ["compiler"] = "dotnet",
        ["platform"] = $"linux/{(System.Runtime.InteropServices.RuntimeInformation.OSArchitecture == System.Runtime.InteropServices.Architecture.Arm64 ? "arm64" : "amd64")}",
    }.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
}
