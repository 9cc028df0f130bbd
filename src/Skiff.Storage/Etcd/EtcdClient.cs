using Google.Protobuf;
using Skiff.Storage.Etcd.Protocol;

namespace Skiff.Storage.Etcd;

/// <summary>
/// A minimal etcd v3 KV client (Range, Put, DeleteRange, Txn, Compact) over h2c gRPC.
/// Thread-safe; one instance per endpoint is enough for many concurrent callers.
/// </summary>
public sealed class EtcdClient(Uri endpoint) : IDisposable
{
    private readonly GrpcUnaryCaller _caller = new(endpoint);

    public Task<RangeResponse> RangeAsync(RangeRequest request, CancellationToken ct = default) =>
        _caller.CallAsync("/etcdserverpb.KV/Range", request, RangeResponse.Parser, ct);

    public Task<PutResponse> PutAsync(PutRequest request, CancellationToken ct = default) =>
        _caller.CallAsync("/etcdserverpb.KV/Put", request, PutResponse.Parser, ct);

    public Task<DeleteRangeResponse> DeleteRangeAsync(DeleteRangeRequest request, CancellationToken ct = default) =>
        _caller.CallAsync("/etcdserverpb.KV/DeleteRange", request, DeleteRangeResponse.Parser, ct);

    public Task<TxnResponse> TxnAsync(TxnRequest request, CancellationToken ct = default) =>
        _caller.CallAsync("/etcdserverpb.KV/Txn", request, TxnResponse.Parser, ct);

    public Task<CompactionResponse> CompactAsync(CompactionRequest request, CancellationToken ct = default) =>
        _caller.CallAsync("/etcdserverpb.KV/Compact", request, CompactionResponse.Parser, ct);

    /// <summary>
    /// Creates <paramref name="key"/> only if absent, the way the Kubernetes API server does:
    /// a Txn comparing create_revision to 0, putting on success and reading the key on failure.
    /// </summary>
    /// <returns>Whether the key was created, and the revision of the response.</returns>
    public async Task<(bool Created, long Revision)> CreateIfAbsentAsync(string key, ReadOnlyMemory<byte> value, CancellationToken ct = default)
    {
        var k = ByteString.CopyFromUtf8(key);
        var txn = new TxnRequest();
        txn.Compare.Add(new Compare { Key = k, Target = Compare.Types.CompareTarget.Create, Result = Compare.Types.CompareResult.Equal, CreateRevision = 0 });
        txn.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = k, Value = ByteString.CopyFrom(value.Span) } });
        txn.Failure.Add(new RequestOp { RequestRange = new RangeRequest { Key = k } });
        var response = await TxnAsync(txn, ct).ConfigureAwait(false);
        return (response.Succeeded, response.Header?.Revision ?? 0);
    }

    public void Dispose() => _caller.Dispose();
}
