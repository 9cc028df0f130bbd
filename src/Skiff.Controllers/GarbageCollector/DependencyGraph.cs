namespace Skiff.Controllers.GarbageCollector;

/// <summary>
/// One object in the ownership graph. A virtual node stands for an owner named by an
/// ownerReference that the collector has not observed (yet); its existence is verified with the
/// API server. Mutated only under the graph's lock.
/// </summary>
public sealed class GraphNode(ObjectIdentity identity, bool isVirtual)
{
    public ObjectIdentity Identity { get; internal set; } = identity;
    public bool IsVirtual { get; internal set; } = isVirtual;
    public IReadOnlyList<OwnerReference> Owners { get; internal set; } = [];
    public bool BeingDeleted { get; internal set; }
    /// <summary>Being deleted in the foreground: waits until its blocking dependents are gone.</summary>
    public bool DeletingDependents { get; internal set; }
    internal HashSet<GraphNode> DependentSet { get; } = [];

    public override string ToString() => Identity.ToString();
}

/// <summary>
/// The garbage collector's picture of ownership (upstream's GraphBuilder): every observed object
/// by uid with its owners and dependents, fed by informer events in order, and telling the
/// collector what to look at (<see cref="AttemptToDelete"/>, <see cref="AttemptToOrphan"/>).
/// Thread-safe: changes and queries take one lock; the callbacks run outside it.
/// </summary>
public sealed class DependencyGraph(Action<GraphNode> attemptToDelete, Action<GraphNode> attemptToOrphan, Func<string, string, bool> isNamespaced)
{
    private readonly Dictionary<string, GraphNode> _byUid = new();
    private readonly Lock _lock = new();

    public Action<GraphNode> AttemptToDelete => attemptToDelete;
    public Action<GraphNode> AttemptToOrphan => attemptToOrphan;

    public int Count { get { lock (_lock) return _byUid.Count; } }

    public GraphNode? Find(string uid) { lock (_lock) return _byUid.GetValueOrDefault(uid); }

    public IReadOnlyList<GraphNode> Dependents(GraphNode n) { lock (_lock) return n.DependentSet.ToList(); }

    /// <summary>Dependents whose reference to <paramref name="owner"/> has blockOwnerDeletion set.</summary>
    public IReadOnlyList<GraphNode> BlockingDependents(GraphNode owner)
    {
        lock (_lock)
            return owner.DependentSet.Where(d => d.Owners.Any(o => o.Uid == owner.Identity.Uid && o.BlockOwnerDeletion)).ToList();
    }

    /// <summary>An object was added or changed.</summary>
    public void Observe(ObjectMetadata obj)
    {
        var toDelete = new List<GraphNode>();
        var toOrphan = new List<GraphNode>();
        lock (_lock)
        {
            var uid = obj.Identity.Uid;
            if (!_byUid.TryGetValue(uid, out var node))
            {
                node = new GraphNode(obj.Identity, false);
                _byUid[uid] = node;
                SetOwners(node, obj.Owners, toDelete);
            }
            else
            {
                if (node.IsVirtual)
                {
                    // Observed for real at last: the identity an ownerReference guessed may differ in details.
                    node.IsVirtual = false;
                    node.Identity = obj.Identity;
                }
                var before = node.Owners;
                SetOwners(node, obj.Owners, toDelete);
                // An owner waiting for its dependents may go once a blocking reference to it is gone or unblocked.
                foreach (var old in before.Where(o => o.BlockOwnerDeletion))
                    if (!obj.Owners.Any(n => n.Uid == old.Uid && n.BlockOwnerDeletion)
                        && _byUid.TryGetValue(old.Uid, out var owner) && owner.DeletingDependents)
                        toDelete.Add(owner);
            }
            node.BeingDeleted = obj.BeingDeleted;
            if (obj.BeingDeleted && obj.HasFinalizer(ObjectMetadata.OrphanFinalizer))
                toOrphan.Add(node);
            if (obj.BeingDeleted && obj.HasFinalizer(ObjectMetadata.ForegroundFinalizer))
            {
                node.DeletingDependents = true;
                toDelete.AddRange(node.DependentSet);
                toDelete.Add(node);
            }
        }
        foreach (var n in toDelete) attemptToDelete(n);
        foreach (var n in toOrphan) attemptToOrphan(n);
    }

    /// <summary>An object is gone (observed, or found absent by the collector).</summary>
    public void Remove(string uid)
    {
        var toDelete = new List<GraphNode>();
        lock (_lock)
        {
            if (!_byUid.Remove(uid, out var node)) return;
            foreach (var o in node.Owners)
                if (_byUid.TryGetValue(o.Uid, out var owner))
                {
                    owner.DependentSet.Remove(node);
                    // A foreground owner may be able to finish now.
                    if (owner.DeletingDependents) toDelete.Add(owner);
                }
            // Its dependents may be orphaned now: the collector decides.
            toDelete.AddRange(node.DependentSet);
            node.DependentSet.Clear();
        }
        foreach (var n in toDelete) attemptToDelete(n);
    }

    private void SetOwners(GraphNode node, IReadOnlyList<OwnerReference> owners, List<GraphNode> toDelete)
    {
        foreach (var old in node.Owners)
            if (!owners.Any(o => o.Uid == old.Uid) && _byUid.TryGetValue(old.Uid, out var gone)) gone.DependentSet.Remove(node);
        node.Owners = owners;
        foreach (var o in owners)
        {
            if (!_byUid.TryGetValue(o.Uid, out var owner))
            {
                // Owners live in the dependent's namespace, or are cluster-scoped.
                var ns = isNamespaced(o.ApiVersion, o.Kind) ? node.Identity.Namespace : "";
                owner = new GraphNode(new ObjectIdentity(o.ApiVersion, o.Kind, ns, o.Name, o.Uid), true);
                _byUid[o.Uid] = owner;
                toDelete.Add(owner); // verify that it exists
            }
            owner.DependentSet.Add(node);
        }
    }
}
