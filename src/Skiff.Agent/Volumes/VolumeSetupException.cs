namespace Skiff.Agent.Volumes;

/// <summary>
/// A volume could not be set up (a missing ConfigMap, an unbound claim, a hostPath of the wrong type, a subPath
/// that escapes its volume). The message is written for the pod's events, as upstream's
/// "MountVolume.SetUp failed for volume ..." messages are; the kubelet retries the pod later.
/// </summary>
public sealed class VolumeSetupException(string volume, string message, Exception? inner = null)
    : Exception($"MountVolume.SetUp failed for volume \"{volume}\" : {message}", inner)
{
    public string Volume { get; } = volume;
}
