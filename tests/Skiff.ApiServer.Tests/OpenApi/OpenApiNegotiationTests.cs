using System.IO.Compression;
using Skiff.ApiServer.OpenApi;

namespace Skiff.ApiServer.Tests.OpenApi;

public sealed class OpenApiNegotiationTests
{
    [Theory]
    [InlineData("application/com.github.proto-openapi.spec.v2@v1.0+protobuf", true)]
    [InlineData("application/com.github.proto-openapi.spec.v2.v1.0+protobuf", true)]
    [InlineData("application/com.github.proto-openapi.spec.v2@v1.0+protobuf, application/json", true)]
    [InlineData("application/json", false)]
    [InlineData("application/json;q=0.9, application/com.github.proto-openapi.spec.v2@v1.0+protobuf", true)]
    [InlineData("application/com.github.proto-openapi.spec.v2@v1.0+protobuf;q=0.5, application/json", false)]
    [InlineData("*/*", false)]
    [InlineData(null, false)]
    public void V2_representation_follows_the_accept_header(string? accept, bool protobuf)
    {
        Assert.True(OpenApiNegotiation.TryChooseV2(accept, out var chosen));
        Assert.Equal(protobuf, chosen);
    }

    [Fact]
    public void Unacceptable_types_are_refused()
    {
        Assert.False(OpenApiNegotiation.TryChooseV2("text/html", out _));
        Assert.False(OpenApiNegotiation.AcceptsV3Json("application/com.github.proto-openapi.spec.v3.v1.0+protobuf"));
        Assert.True(OpenApiNegotiation.AcceptsV3Json("application/json, */*"));
    }

    [Fact]
    public void A_stale_hash_redirects_to_the_current_one()
    {
        var doc = new OpenApiDocument("{}"u8.ToArray(), OpenApiDocument.JsonContentType);
        Assert.Null(OpenApiNegotiation.StaleHashRedirect("apis/apps/v1", null, doc));
        Assert.Null(OpenApiNegotiation.StaleHashRedirect("apis/apps/v1", doc.Hash, doc));
        Assert.Equal($"/openapi/v3/apis/apps/v1?hash={doc.Hash}", OpenApiNegotiation.StaleHashRedirect("/apis/apps/v1", "ABC", doc));
    }

    [Fact]
    public void Gzip_body_decompresses_to_the_body()
    {
        var body = System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("{\"openapi\":\"3.0.0\"}", 200)));
        var doc = new OpenApiDocument(body, OpenApiDocument.JsonContentType);
        Assert.True(doc.GzipBody.Length < body.Length);
        using var gzip = new GZipStream(new MemoryStream(doc.GzipBody.ToArray()), CompressionMode.Decompress);
        using var plain = new MemoryStream();
        gzip.CopyTo(plain);
        Assert.Equal(body, plain.ToArray());
    }
}
