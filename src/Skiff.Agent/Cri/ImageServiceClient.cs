using Google.Protobuf;
using Skiff.Agent.Cri.Grpc;
using Skiff.Agent.Cri.V1;

namespace Skiff.Agent.Cri;

/// <summary>
/// The CRI image service (runtime.v1.ImageService) as typed async methods. Pulls have no
/// deadline of their own (a large image on a slow link takes what it takes; cancel to stop);
/// the other calls use <see cref="DefaultTimeout"/>.
/// </summary>
public sealed class ImageServiceClient(UnixGrpcClient grpc)
{
    private const string Service = "/runtime.v1.ImageService/";

    public TimeSpan DefaultTimeout { get; init; } = TimeSpan.FromMinutes(2);

    public async Task<IReadOnlyList<Image>> ListImagesAsync(ImageFilter? filter = null, CancellationToken ct = default) =>
        (await Call("ListImages", new ListImagesRequest { Filter = filter }, ListImagesResponse.Parser, DefaultTimeout, ct)
            .ConfigureAwait(false)).Images;

    /// <summary>The image, or null if the runtime does not have it.</summary>
    public async Task<Image?> ImageStatusAsync(string image, CancellationToken ct = default) =>
        (await Call("ImageStatus", new ImageStatusRequest { Image = new ImageSpec { Image = image } },
            ImageStatusResponse.Parser, DefaultTimeout, ct).ConfigureAwait(false)).Image;

    /// <summary>Pulls an image; returns the runtime's reference to it (its id).</summary>
    public async Task<string> PullImageAsync(string image, AuthConfig? auth = null, PodSandboxConfig? sandboxConfig = null,
        CancellationToken ct = default) =>
        (await Call("PullImage", new PullImageRequest { Image = new ImageSpec { Image = image }, Auth = auth, SandboxConfig = sandboxConfig },
            PullImageResponse.Parser, null, ct).ConfigureAwait(false)).ImageRef;

    public Task RemoveImageAsync(string image, CancellationToken ct = default) =>
        Call("RemoveImage", new RemoveImageRequest { Image = new ImageSpec { Image = image } }, RemoveImageResponse.Parser, DefaultTimeout, ct);

    public Task<ImageFsInfoResponse> ImageFsInfoAsync(CancellationToken ct = default) =>
        Call("ImageFsInfo", new ImageFsInfoRequest(), ImageFsInfoResponse.Parser, DefaultTimeout, ct);

    private Task<T> Call<T>(string method, IMessage request, MessageParser<T> parser, TimeSpan? deadline, CancellationToken ct)
        where T : IMessage<T> =>
        grpc.UnaryAsync(Service + method, request, parser, deadline, ct);
}
