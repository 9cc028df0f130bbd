using Skiff.Api.Models.Core.V1;
using Skiff.Client.Informers;
using Skiff.Client.Typed;

namespace Skiff.Client.Tests.Informers;

public sealed class IndexerTests
{
    private static readonly ModelCodec<Pod, PodList> Codec = ModelCodec<Pod, PodList>.Instance;

    private static Pod P(string ns, string name, string? node, params string[] owners) => new()
    {
        Metadata = new() { Namespace = ns, Name = name, OwnerReferences = [.. owners.Select(o => new Skiff.Api.Models.Meta.V1.OwnerReference { Uid = o })] },
        Spec = new() { NodeName = node },
    };

    [Fact]
    public void IndexesFollowUpdatesAndDeletes()
    {
        var store = new Indexer<Pod>();
        store.AddIndex(Indexers.Namespace, Indexers.ByNamespace(Codec));
        store.AddIndex(Indexers.NodeName, Indexers.PodNodeName);
        store.Upsert("a/p1", P("a", "p1", "n1", "rs-1"));
        store.Upsert("a/p2", P("a", "p2", null, "rs-1", "rs-2"));
        store.Upsert("b/p3", P("b", "p3", "n1"));

        Assert.Equal(["p1", "p3"], store.ByIndex(Indexers.NodeName, "n1").Select(p => p.Metadata!.Name).Order());
        Assert.Equal(2, store.ByIndex(Indexers.Namespace, "a").Count);

        // An index added later is built over the current contents.
        store.AddIndex(Indexers.OwnerUid, Indexers.ByOwnerUid(Codec));
        Assert.Equal(["a/p1", "a/p2"], store.KeysByIndex(Indexers.OwnerUid, "rs-1").Order());

        var old = store.Upsert("a/p1", P("a", "p1", "n2"));
        Assert.Equal("n1", old!.Spec!.NodeName);
        Assert.Equal(["p3"], store.ByIndex(Indexers.NodeName, "n1").Select(p => p.Metadata!.Name));
        Assert.Equal(["p1"], store.ByIndex(Indexers.NodeName, "n2").Select(p => p.Metadata!.Name));
        Assert.Equal(["a/p2"], store.KeysByIndex(Indexers.OwnerUid, "rs-1"));

        Assert.NotNull(store.Remove("a/p2"));
        Assert.Empty(store.ByIndex(Indexers.OwnerUid, "rs-1"));
        Assert.Empty(store.ByIndex(Indexers.OwnerUid, "rs-2"));
        Assert.Null(store.Remove("a/p2"));
        Assert.Equal(2, store.Count);
        Assert.Throws<ArgumentException>(() => store.ByIndex("nope", "x"));
    }

    [Fact]
    public async Task ConcurrentWritersAndReadersSeeConsistentIndexes()
    {
        var store = new Indexer<Pod>();
        store.AddIndex(Indexers.NodeName, Indexers.PodNodeName);
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(() =>
        {
            for (var i = 0; i < 2000; i++) store.Upsert($"ns/p{w}-{i % 50}", P("ns", $"p{w}-{i % 50}", "n" + (i % 3)));
        }));
        var reader = Task.Run(() =>
        {
            for (var i = 0; i < 2000; i++)
            {
                // One ByIndex call is a snapshot: every pod it returns is on that node.
                var node = "n" + (i % 3);
                Assert.All(store.ByIndex(Indexers.NodeName, node), p => Assert.Equal(node, p.Spec!.NodeName));

                // Three calls are three snapshots (a pod can move between them), so the indexes are
                // compared with the item count under the store's one lock: every item is in exactly one.
                var (count, total) = store.WithLock(s => (s.Count,
                    s.ByIndex(Indexers.NodeName, "n0").Count + s.ByIndex(Indexers.NodeName, "n1").Count + s.ByIndex(Indexers.NodeName, "n2").Count));
                Assert.Equal(count, total);
            }
        });
        await Task.WhenAll([.. writers, reader]);
        Assert.Equal(200, store.Count);
        var indexed = store.ByIndex(Indexers.NodeName, "n0").Count + store.ByIndex(Indexers.NodeName, "n1").Count + store.ByIndex(Indexers.NodeName, "n2").Count;
        Assert.Equal(200, indexed);
    }
}
