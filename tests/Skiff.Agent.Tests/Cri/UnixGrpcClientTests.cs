using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Skiff.Agent.Cri.Grpc;
using Skiff.Agent.Cri.V1;
using Skiff.Agent.Tests.Support;

namespace Skiff.Agent.Tests.Cri;

public sealed class UnixGrpcClientTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private static async Task<FakeGrpcServer> ServeAsync(string path, RequestDelegate handler) =>
        await FakeGrpcServer.StartAsync((app, _) => app.MapPost(path, handler));

    [Fact]
    public async Task A_unary_call_sends_one_frame_with_grpc_headers_and_reads_the_reply()
    {
        await using var server = await ServeAsync("/runtime.v1.RuntimeService/Version", async ctx =>
        {
            var request = VersionRequest.Parser.ParseFrom(await FakeGrpcServer.ReadRequestAsync(ctx));
            FakeGrpcServer.BeginGrpc(ctx);
            await FakeGrpcServer.WriteFrameAsync(ctx, new VersionResponse { RuntimeName = "fake", Version = request.Version });
            ctx.Response.AppendTrailer("grpc-status", "0");
        });
        using var client = new UnixGrpcClient(server.SocketPath);

        var reply = await client.UnaryAsync("/runtime.v1.RuntimeService/Version", new VersionRequest { Version = "v1" },
            VersionResponse.Parser, TimeSpan.FromSeconds(7), CancellationToken.None);

        Assert.Equal("fake", reply.RuntimeName);
        Assert.Equal("v1", reply.Version);
        var headers = server.LastHeaders!;
        Assert.Equal("application/grpc", headers.ContentType.ToString());
        Assert.Equal("trailers", headers["te"].ToString());
        Assert.Equal("7000000u", headers["grpc-timeout"].ToString());
    }

    [Fact]
    public async Task A_status_in_the_trailers_becomes_an_RpcException_with_the_decoded_message()
    {
        await using var server = await ServeAsync("/s/M", async ctx =>
        {
            await FakeGrpcServer.ReadRequestAsync(ctx);
            FakeGrpcServer.BeginGrpc(ctx);
            await ctx.Response.Body.FlushAsync();
            ctx.Response.AppendTrailer("grpc-status", "5");
            ctx.Response.AppendTrailer("grpc-message", "sandbox \"abc\" not found: 100%25 sure");
        });
        using var client = new UnixGrpcClient(server.SocketPath);

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            client.UnaryAsync("/s/M", new VersionRequest(), VersionResponse.Parser, Deadline, CancellationToken.None));

        Assert.Equal(GrpcStatusCode.NotFound, error.Status);
        Assert.Equal("sandbox \"abc\" not found: 100% sure", error.Detail);
        Assert.Equal("/s/M", error.Method);
    }

    [Fact]
    public async Task A_trailers_only_response_carries_its_status_in_the_headers()
    {
        await using var server = await ServeAsync("/s/M", async ctx =>
        {
            await FakeGrpcServer.ReadRequestAsync(ctx);
            ctx.Response.ContentType = "application/grpc";
            ctx.Response.Headers["grpc-status"] = "12";
            ctx.Response.Headers["grpc-message"] = "unknown method M";
        });
        using var client = new UnixGrpcClient(server.SocketPath);

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            client.UnaryAsync("/s/M", new VersionRequest(), VersionResponse.Parser, Deadline, CancellationToken.None));

        Assert.Equal(GrpcStatusCode.Unimplemented, error.Status);
        Assert.Equal("unknown method M", error.Detail);
    }

    [Fact]
    public async Task A_response_without_grpc_status_is_an_internal_error()
    {
        await using var server = await ServeAsync("/s/M", async ctx =>
        {
            await FakeGrpcServer.ReadRequestAsync(ctx);
            ctx.Response.ContentType = "application/grpc";
            await FakeGrpcServer.WriteFrameAsync(ctx, new VersionResponse { RuntimeName = "x" });
        });
        using var client = new UnixGrpcClient(server.SocketPath);

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            client.UnaryAsync("/s/M", new VersionRequest(), VersionResponse.Parser, Deadline, CancellationToken.None));

        Assert.Equal(GrpcStatusCode.Internal, error.Status);
        Assert.Contains("grpc-status", error.Detail);
    }

    [Fact]
    public async Task A_path_the_server_does_not_know_is_unimplemented()
    {
        await using var server = await ServeAsync("/s/Known", ctx => Task.CompletedTask);
        using var client = new UnixGrpcClient(server.SocketPath);

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            client.UnaryAsync("/s/Unknown", new VersionRequest(), VersionResponse.Parser, Deadline, CancellationToken.None));

        Assert.Equal(GrpcStatusCode.Unimplemented, error.Status);
        Assert.Contains("HTTP 404", error.Detail);
    }

    [Fact]
    public async Task A_server_slower_than_the_deadline_gives_DeadlineExceeded()
    {
        await using var server = await ServeAsync("/s/Slow", async ctx =>
        {
            await FakeGrpcServer.ReadRequestAsync(ctx);
            await Task.Delay(Timeout.Infinite, ctx.RequestAborted).ContinueWith(_ => { });
        });
        using var client = new UnixGrpcClient(server.SocketPath);

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            client.UnaryAsync("/s/Slow", new VersionRequest(), VersionResponse.Parser, TimeSpan.FromMilliseconds(300), CancellationToken.None));

        Assert.Equal(GrpcStatusCode.DeadlineExceeded, error.Status);
    }

    [Fact]
    public async Task Cancelling_a_call_throws_OperationCanceledException()
    {
        await using var server = await ServeAsync("/s/Slow", async ctx =>
        {
            await FakeGrpcServer.ReadRequestAsync(ctx);
            await Task.Delay(Timeout.Infinite, ctx.RequestAborted).ContinueWith(_ => { });
        });
        using var client = new UnixGrpcClient(server.SocketPath);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            client.UnaryAsync("/s/Slow", new VersionRequest(), VersionResponse.Parser, Deadline, cts.Token));
    }

    [Fact]
    public async Task No_socket_means_Unavailable_naming_the_socket()
    {
        using var dir = new TempDir();
        var socket = dir.Combine("nobody.sock");
        using var client = new UnixGrpcClient(socket);

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            client.UnaryAsync("/s/M", new VersionRequest(), VersionResponse.Parser, Deadline, CancellationToken.None));

        Assert.Equal(GrpcStatusCode.Unavailable, error.Status);
        Assert.Contains(socket, error.Detail);
    }

    [Fact]
    public async Task Server_streaming_yields_each_message_then_checks_the_status()
    {
        await using var server = await ServeAsync("/s/Events", async ctx =>
        {
            await FakeGrpcServer.ReadRequestAsync(ctx);
            FakeGrpcServer.BeginGrpc(ctx);
            for (var i = 0; i < 3; i++)
                await FakeGrpcServer.WriteFrameAsync(ctx, new ContainerEventResponse { ContainerId = $"c{i}" });
            ctx.Response.AppendTrailer("grpc-status", "0");
        });
        using var client = new UnixGrpcClient(server.SocketPath);

        var ids = new List<string>();
        await foreach (var e in client.ServerStreamingAsync("/s/Events", new GetEventsRequest(), ContainerEventResponse.Parser, Deadline))
            ids.Add(e.ContainerId);

        Assert.Equal(["c0", "c1", "c2"], ids);
    }

    [Fact]
    public async Task A_stream_that_fails_midway_delivers_what_came_then_throws()
    {
        var release = new TaskCompletionSource();
        await using var server = await ServeAsync("/s/Events", async ctx =>
        {
            await FakeGrpcServer.ReadRequestAsync(ctx);
            FakeGrpcServer.BeginGrpc(ctx);
            await FakeGrpcServer.WriteFrameAsync(ctx, new ContainerEventResponse { ContainerId = "first" });
            await release.Task.WaitAsync(TimeSpan.FromSeconds(10));
            ctx.Response.AppendTrailer("grpc-status", "14");
            ctx.Response.AppendTrailer("grpc-message", "runtime going away");
        });
        using var client = new UnixGrpcClient(server.SocketPath);

        var ids = new List<string>();
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var e in client.ServerStreamingAsync("/s/Events", new GetEventsRequest(), ContainerEventResponse.Parser, Deadline))
            {
                ids.Add(e.ContainerId); // the first message arrives before the server has decided how to end
                release.TrySetResult();
            }
        });

        Assert.Equal(["first"], ids);
        Assert.Equal(GrpcStatusCode.Unavailable, error.Status);
        Assert.Equal("runtime going away", error.Detail);
    }

    [Fact]
    public async Task Many_concurrent_calls_share_the_connection()
    {
        await using var server = await ServeAsync("/s/Echo", async ctx =>
        {
            var request = VersionRequest.Parser.ParseFrom(await FakeGrpcServer.ReadRequestAsync(ctx));
            FakeGrpcServer.BeginGrpc(ctx);
            await FakeGrpcServer.WriteFrameAsync(ctx, new VersionResponse { Version = request.Version });
            ctx.Response.AppendTrailer("grpc-status", "0");
        });
        using var client = new UnixGrpcClient(server.SocketPath);

        var replies = await Task.WhenAll(Enumerable.Range(0, 50).Select(i =>
            client.UnaryAsync("/s/Echo", new VersionRequest { Version = i.ToString() }, VersionResponse.Parser, Deadline, CancellationToken.None)));

        Assert.Equal(Enumerable.Range(0, 50).Select(i => i.ToString()), replies.Select(r => r.Version));
    }
}
