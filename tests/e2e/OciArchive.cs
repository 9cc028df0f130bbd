using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Skiff.E2E;

/// <summary>
/// Writes a one-layer OCI image-layout archive, the format scripts/build-test-images.sh makes, for a test that needs
/// an image no other test has (its own content, so its own image ID): <c>ctr images import</c> loads it.
/// </summary>
public static class OciArchive
{
    /// <summary>Writes <paramref name="path"/>: an image named <paramref name="reference"/> holding <paramref name="files"/> (path in the image → host file), running <paramref name="cmd"/>.</summary>
    public static void Write(string path, string reference, IReadOnlyDictionary<string, string> files, IReadOnlyList<string> cmd)
    {
        var blobs = new List<(string Digest, byte[] Bytes)>();
        (string Digest, int Size) Blob(byte[] bytes)
        {
            var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));
            blobs.Add((digest, bytes));
            return (digest, bytes.Length);
        }

        var layer = new MemoryStream();
        using (var tar = new TarWriter(layer, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var dir in files.Keys.SelectMany(Parents).Distinct().Order(StringComparer.Ordinal))
                tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, dir + "/") { Mode = (UnixFileMode)0b111_101_101 });
            foreach (var (inImage, host) in files.OrderBy(f => f.Key, StringComparer.Ordinal))
            {
                using var content = File.OpenRead(host);
                tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, inImage)
                {
                    Mode = File.GetUnixFileMode(host), DataStream = content,
                });
            }
        }
        var layerBytes = layer.ToArray();
        var diffId = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(layerBytes));
        var (layerDigest, layerSize) = Blob(layerBytes);

        var config = new JsonObject
        {
            ["architecture"] = "amd64", ["os"] = "linux",
            ["config"] = new JsonObject { ["Env"] = new JsonArray("PATH=/bin"), ["Cmd"] = new JsonArray([.. cmd.Select(c => (JsonNode)c)]) },
            ["rootfs"] = new JsonObject { ["type"] = "layers", ["diff_ids"] = new JsonArray(diffId) },
        };
        var (configDigest, configSize) = Blob(Encoding.UTF8.GetBytes(config.ToJsonString()));
        var manifest = new JsonObject
        {
            ["schemaVersion"] = 2, ["mediaType"] = "application/vnd.oci.image.manifest.v1+json",
            ["config"] = new JsonObject { ["mediaType"] = "application/vnd.oci.image.config.v1+json", ["digest"] = configDigest, ["size"] = configSize },
            ["layers"] = new JsonArray(new JsonObject { ["mediaType"] = "application/vnd.oci.image.layer.v1.tar", ["digest"] = layerDigest, ["size"] = layerSize }),
        };
        var (manifestDigest, manifestSize) = Blob(Encoding.UTF8.GetBytes(manifest.ToJsonString()));
        var index = new JsonObject
        {
            ["schemaVersion"] = 2, ["mediaType"] = "application/vnd.oci.image.index.v1+json",
            ["manifests"] = new JsonArray(new JsonObject
            {
                ["mediaType"] = "application/vnd.oci.image.manifest.v1+json", ["digest"] = manifestDigest, ["size"] = manifestSize,
                ["platform"] = new JsonObject { ["architecture"] = "amd64", ["os"] = "linux" },
                ["annotations"] = new JsonObject { ["io.containerd.image.name"] = reference, ["org.opencontainers.image.ref.name"] = reference[(reference.LastIndexOf(':') + 1)..] },
            }),
        };

        using var output = File.Create(path);
        using var archive = new TarWriter(output, TarEntryFormat.Pax);
        void Entry(string name, byte[] bytes) =>
            archive.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { Mode = (UnixFileMode)0b110_100_100, DataStream = new MemoryStream(bytes) });
        Entry("oci-layout", Encoding.UTF8.GetBytes("""{"imageLayoutVersion":"1.0.0"}"""));
        Entry("index.json", Encoding.UTF8.GetBytes(index.ToJsonString()));
        foreach (var (digest, bytes) in blobs) Entry("blobs/sha256/" + digest["sha256:".Length..], bytes);
    }

    private static IEnumerable<string> Parents(string path)
    {
        for (var slash = path.IndexOf('/'); slash > 0; slash = path.IndexOf('/', slash + 1)) yield return path[..slash];
    }
}
