using System.Text.Json;
using Skiff.Api.Json;
using Skiff.Client.Rest;
using Skiff.Client.Typed;

namespace Skiff.Client.Tests.Typed;

/// <summary>
/// SkiffJsonContext holds only what the typed code serializes (ModelGen's JsonContextWriter.Roots and what they reach),
/// so every typed client must find its model and list in it.
/// </summary>
public sealed class ModelCodecTests
{
    [Fact]
    public void Every_typed_client_of_KubeClient_has_its_model_and_list_in_the_json_context()
    {
        using var connection = new ApiConnection(new HttpClientHandler(), new Uri("https://skiff.test"));
        using var client = new KubeClient(connection);
        var typed = typeof(KubeClient).GetProperties()
            .Where(p => p.PropertyType.IsGenericType && p.PropertyType.GetGenericTypeDefinition() == typeof(ResourceClient<>))
            .ToList();

        Assert.True(typed.Count >= 20, $"only {typed.Count} typed clients found");
        foreach (var property in typed)
        {
            var model = property.PropertyType.GetGenericArguments()[0];
            var value = property.GetValue(client); // builds ModelCodec<T, TList>: throws when either is missing
            Assert.NotNull(value);
            Assert.NotNull(SkiffJsonContext.Default.GetTypeInfo(model));
            Assert.NotNull(SkiffJsonContext.Default.GetTypeInfo(model.Assembly.GetType(model.FullName + "List", throwOnError: true)!));
        }
    }

    [Fact]
    public void A_model_outside_the_context_is_named_in_the_error()
    {
        // CSR is served by the API server but no component reads it typed.
        var e = Assert.ThrowsAny<Exception>(() =>
            ModelCodec<Skiff.Api.Models.Certificates.V1.CertificateSigningRequest, Skiff.Api.Models.Certificates.V1.CertificateSigningRequestList>.Instance);
        var inner = e is TypeInitializationException t ? t.InnerException! : e;
        Assert.Contains("CertificateSigningRequest is not in SkiffJsonContext", inner.Message);
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
