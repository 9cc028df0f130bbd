using System.Net;
using System.Net.Http.Headers;
using Skiff.Agent.Cri.Grpc;
using Skiff.Agent.Cri.V1;

namespace Skiff.Agent.Tests.Cri;

public sealed class GrpcWireTests
{
    [Fact]
    public async Task A_frame_is_a_flag_a_big_endian_length_and_the_message()
    {
        var message = new VersionRequest { Version = "v1" };
        var frame = GrpcWire.Frame(message);

        Assert.Equal(new byte[] { 0, 0, 0, 0, 4, 0x0a, 0x02, (byte)'v', (byte)'1' }, frame);

        using var stream = new MemoryStream([.. frame, .. frame]);
        Assert.Equal(message, VersionRequest.Parser.ParseFrom(await GrpcWire.ReadFrameAsync(stream, default)));
        Assert.NotNull(await GrpcWire.ReadFrameAsync(stream, default));
        Assert.Null(await GrpcWire.ReadFrameAsync(stream, default));
    }

    [Fact]
    public async Task An_empty_message_is_a_five_byte_frame()
    {
        var frame = GrpcWire.Frame(new StopPodSandboxResponse());
        Assert.Equal(new byte[5], frame);
        using var stream = new MemoryStream(frame);
        Assert.Empty((await GrpcWire.ReadFrameAsync(stream, default))!);
    }

    [Theory]
    [InlineData(new byte[] { 0, 0, 0 }, "truncated frame header")]
    [InlineData(new byte[] { 0, 0, 0, 0, 9, 1, 2 }, "truncated message")]
    [InlineData(new byte[] { 1, 0, 0, 0, 1, 0 }, "compressed message")]
    [InlineData(new byte[] { 7, 0, 0, 0, 1, 0 }, "invalid compressed flag")]
    [InlineData(new byte[] { 0, 0x7f, 0, 0, 0 }, "exceeds the limit")]
    public async Task Broken_frames_are_protocol_errors(byte[] bytes, string expected)
    {
        using var stream = new MemoryStream(bytes);
        var error = await Assert.ThrowsAsync<GrpcProtocolException>(async () => await GrpcWire.ReadFrameAsync(stream, default));
        Assert.Contains(expected, error.Message);
    }

    [Theory]
    [InlineData(0.5, "500000n")]
    [InlineData(250, "250000u")]
    [InlineData(2_000, "2000000u")]
    [InlineData(120_000, "120000m")]
    [InlineData(999_999_999.0, "1000000S")]
    public void Timeouts_use_at_most_eight_digits_and_round_up(double milliseconds, string expected)
    {
        var value = GrpcWire.FormatTimeout(TimeSpan.FromMilliseconds(milliseconds));
        Assert.Equal(expected, value);
        Assert.True(value.Length <= 9);
    }

    [Fact]
    public void A_nonpositive_timeout_is_already_due()
    {
        Assert.Equal("1n", GrpcWire.FormatTimeout(TimeSpan.Zero));
        Assert.Equal("6000000M", GrpcWire.FormatTimeout(TimeSpan.FromHours(100_000)));
    }

    [Fact]
    public void Status_is_read_from_trailers_before_headers()
    {
        using var response = new HttpResponseMessage();
        response.Headers.TryAddWithoutValidation("grpc-status", "0");
        response.TrailingHeaders.TryAddWithoutValidation("grpc-status", "3");
        response.TrailingHeaders.TryAddWithoutValidation("grpc-message", "bad%20name%3A%20%E2%9C%93");

        var status = GrpcWire.ReadStatus(response.Headers, response.TrailingHeaders);

        Assert.Equal((GrpcStatusCode.InvalidArgument, "bad name: \u2713"), status);
    }

    [Fact]
    public void Missing_or_garbled_status_is_reported_as_such()
    {
        using var response = new HttpResponseMessage();
        Assert.Null(GrpcWire.ReadStatus(response.Headers, response.TrailingHeaders));
        response.Headers.TryAddWithoutValidation("grpc-status", "x");
        Assert.Equal(GrpcStatusCode.Unknown, GrpcWire.ReadStatus(response.Headers, null)!.Value.Code);
        Assert.Equal("100% raw", GrpcWire.DecodeMessage("100% raw"));
    }

    [Theory]
    [InlineData(HttpStatusCode.NotFound, GrpcStatusCode.Unimplemented)]
    [InlineData(HttpStatusCode.ServiceUnavailable, GrpcStatusCode.Unavailable)]
    [InlineData(HttpStatusCode.Unauthorized, GrpcStatusCode.Unauthenticated)]
    [InlineData(HttpStatusCode.BadRequest, GrpcStatusCode.Internal)]
    [InlineData(HttpStatusCode.InternalServerError, GrpcStatusCode.Unknown)]
    public void Http_errors_map_to_grpc_statuses(HttpStatusCode http, GrpcStatusCode expected) =>
        Assert.Equal(expected, GrpcWire.StatusForHttp(http));

    [Fact]
    public void Only_grpc_content_types_are_accepted()
    {
        Assert.True(GrpcWire.IsGrpcContentType(new MediaTypeHeaderValue("application/grpc")));
        Assert.True(GrpcWire.IsGrpcContentType(new MediaTypeHeaderValue("application/grpc+proto")));
        Assert.False(GrpcWire.IsGrpcContentType(new MediaTypeHeaderValue("text/html")));
        Assert.False(GrpcWire.IsGrpcContentType(null));
    }

    [Fact]
    public void Field_numbers_match_upstream_on_the_wire()
    {
        // CreateContainerRequest: pod_sandbox_id=1, config=2 (config.log_path=11), sandbox_config=3.
        var request = new CreateContainerRequest
        {
            PodSandboxId = "s",
            Config = new ContainerConfig { LogPath = "l" },
            SandboxConfig = new PodSandboxConfig { Hostname = "h" },
        };
        Assert.Equal(new byte[] { 0x0a, 1, (byte)'s', 0x12, 3, 0x5a, 1, (byte)'l', 0x1a, 3, 0x12, 1, (byte)'h' }, Google.Protobuf.MessageExtensions.ToByteArray(request));
        // LinuxSandboxSecurityContext.run_as_group is 8 and supplemental_groups_policy 11, out of order upstream.
        var security = new LinuxSandboxSecurityContext { RunAsGroup = new Int64Value { Value = 1 }, SupplementalGroupsPolicy = SupplementalGroupsPolicy.Strict };
        Assert.Equal(new byte[] { 0x42, 2, 0x08, 1, 0x58, 1 }, Google.Protobuf.MessageExtensions.ToByteArray(security));
    }
}
