using System.Text.Json.Nodes;
using static Skiff.Api.Defaulting.JsonFields;

namespace Skiff.Api.Defaulting;

/// <summary>Defaults shared by pod volumes, PersistentVolumes and claims.</summary>
internal static class VolumeDefaults
{
    /// <summary>0644, the mode of files projected from secrets, config maps and the downward API.</summary>
    public const int FileMode = 420;

    public static void ApplyClaimSpec(JsonObject spec) => DefaultPointer(spec, "volumeMode", "Filesystem");

    /// <summary>A PersistentVolumeClaim, alone or as a StatefulSet's volumeClaimTemplates entry.</summary>
    public static void ApplyClaim(JsonObject claim)
    {
        DefaultString(Ensure(claim, "status"), "phase", "Pending");
        ApplyClaimSpec(Ensure(claim, "spec"));
    }

    public static void ApplyPersistentVolume(JsonObject volume)
    {
        DefaultString(Ensure(volume, "status"), "phase", "Pending");
        var spec = Ensure(volume, "spec");
        DefaultString(spec, "persistentVolumeReclaimPolicy", "Retain");
        DefaultPointer(spec, "volumeMode", "Filesystem");
        if (Child(spec, "hostPath") is { } hostPath) DefaultPointer(hostPath, "type", "");
        ApplyLegacySources(spec);
    }

    /// <summary>The in-tree storage drivers that still carry defaults (pod volume or PV source).</summary>
    public static void ApplyLegacySources(JsonObject source)
    {
        if (Child(source, "iscsi") is { } iscsi) DefaultString(iscsi, "iscsiInterface", "default");
        if (Child(source, "rbd") is { } rbd)
        {
            DefaultString(rbd, "pool", "rbd");
            DefaultString(rbd, "user", "admin");
            DefaultString(rbd, "keyring", "/etc/ceph/keyring");
        }
        if (Child(source, "azureDisk") is { } azureDisk)
        {
            DefaultPointer(azureDisk, "cachingMode", "ReadWrite");
            DefaultPointer(azureDisk, "kind", "Shared");
            DefaultPointer(azureDisk, "fsType", "ext4");
            DefaultPointer(azureDisk, "readOnly", false);
        }
    }
}
