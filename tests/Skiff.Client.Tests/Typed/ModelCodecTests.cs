using System.Text.Json;
using Skiff.Client.Rest;
using Skiff.Client.Typed;

namespace Skiff.Client.Tests.Typed;

/// <summary>
/// ModelCodec binds a typed client's model and list through their generated JSON code (ModelJson), which every typed
/// client of KubeClient must find.
/// </summary>
public sealed class ModelCodecTests
{
    [Fact]
    public void Every_typed_client_of_KubeClient_builds_its_codec()
    {
        using var connection = new ApiConnection(new HttpClientHandler(), new Uri("https://skiff.test"));
        using var client = new KubeClient(connection);
        var typed = typeof(KubeClient).GetProperties()
            .Where(p => p.PropertyType.IsGenericType && p.PropertyType.GetGenericTypeDefinition() == typeof(ResourceClient<>))
            .ToList();

        Assert.True(typed.Count >= 20, $"only {typed.Count} typed clients found");
        foreach (var property in typed)
        {
            Assert.NotNull(property.GetValue(client)); // builds ModelCodec<T, TList>
        }
    }

    [Fact]
    public void A_pod_round_trips_through_its_codec()
    {
        var codec = ModelCodec<Skiff.Api.Models.Core.V1.Pod, Skiff.Api.Models.Core.V1.PodList>.Instance;
        var pod = codec.Deserialize("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"d"},"spec":{"containers":[{"name":"c","image":"busybox","resources":{"limits":{"memory":"32Mi"}}}]}}"""u8);

        Assert.Equal("p", codec.Name(pod));
        using var again = JsonDocument.Parse(codec.Serialize(pod, ResourceDescriptor.ForKind(codec.GroupVersionKind)));
        Assert.Equal("32Mi", again.RootElement.GetProperty("spec").GetProperty("containers")[0].GetProperty("resources").GetProperty("limits").GetProperty("memory").GetString());
    }
}
