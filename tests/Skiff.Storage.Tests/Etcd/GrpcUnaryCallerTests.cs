using System.Buffers.Binary;
using System.Net;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Skiff.Storage.Etcd;
using Skiff.Storage.Etcd.Protocol;

namespace Skiff.Storage.Tests.Etcd;

/// <summary>Drives the client against an in-process h2c server that speaks just enough gRPC to check the wire format.</summary>
public sealed class GrpcUnaryCallerTests : IAsyncLifetime
{
    private WebApplication _app = null!;
    private Uri _endpoint = null!;
    private TxnRequest? _lastTxn;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        _app = builder.Build();
        _app.MapPost("/etcdserverpb.KV/Txn", async ctx =>
        {
            Assert.Equal("application/grpc", ctx.Request.ContentType);
            var body = await ReadAllAsync(ctx.Request.Body);
            Assert.Equal(0, body[0]);
            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(1));
            Assert.Equal(body.Length - 5, length);
            _lastTxn = TxnRequest.Parser.ParseFrom(body, 5, length);
            await WriteGrpcAsync(ctx, new TxnResponse { Succeeded = true, Header = new ResponseHeader { Revision = 42 } });
        });
        _app.MapPost("/etcdserverpb.KV/Range", ctx =>
        {
            // A "trailers-only" failure: status in the headers and no message.
            ctx.Response.ContentType = "application/grpc";
            ctx.Response.Headers["grpc-status"] = "9";
            ctx.Response.Headers["grpc-message"] = Uri.EscapeDataString("etcdserver: mvcc: required revision has been compacted");
            return Task.CompletedTask;
        });
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _endpoint = new Uri(address);
    }

    [Fact]
    public async Task CreateIfAbsentSendsAKubernetesStyleTxnAndReadsTheReply()
    {
        using var client = new EtcdClient(_endpoint);
        var (created, revision) = await client.CreateIfAbsentAsync("/registry/pods/a", "hello"u8.ToArray());
        Assert.True(created);
        Assert.Equal(42, revision);

        var txn = _lastTxn!;
        var compare = Assert.Single(txn.Compare);
        Assert.Equal(Compare.Types.CompareTarget.Create, compare.Target);
        Assert.Equal(Compare.Types.CompareResult.Equal, compare.Result);
        Assert.Equal(Compare.TargetUnionOneofCase.CreateRevision, compare.TargetUnionCase);
        Assert.Equal("/registry/pods/a", compare.Key.ToStringUtf8());
        Assert.Equal("hello", Assert.Single(txn.Success).RequestPut.Value.ToStringUtf8());
        Assert.Equal("/registry/pods/a", Assert.Single(txn.Failure).RequestRange.Key.ToStringUtf8());
    }

    [Fact]
    public async Task NonZeroGrpcStatusBecomesAnExceptionWithTheMessage()
    {
        using var client = new EtcdClient(_endpoint);
        var ex = await Assert.ThrowsAsync<GrpcCallException>(() => client.RangeAsync(new RangeRequest { Key = ByteString.CopyFromUtf8("/x") }));
        Assert.Equal(9, ex.Status);
        Assert.Contains("compacted", ex.Message);
    }

    private static async Task WriteGrpcAsync(HttpContext ctx, IMessage message)
    {
        ctx.Response.ContentType = "application/grpc";
        ctx.Response.DeclareTrailer("grpc-status");
        var frame = new byte[5 + message.CalculateSize()];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)(frame.Length - 5));
        message.WriteTo(frame.AsSpan(5));
        await ctx.Response.Body.WriteAsync(frame);
        ctx.Response.AppendTrailer("grpc-status", "0");
    }

    private static async Task<byte[]> ReadAllAsync(Stream s)
    {
        using var ms = new MemoryStream();
        await s.CopyToAsync(ms);
        return ms.ToArray();
    }

    public async Task DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
