using Skiff.Api.Models.Core.V1;
using Skiff.Client.Informers;
using Skiff.Scheduler.Framework;
using Pdb = Skiff.Api.Models.Policy.V1.PodDisruptionBudget;
using StorageClass = Skiff.Api.Models.Storage.V1.StorageClass;

namespace Skiff.Scheduler;

/// <summary><see cref="IClusterLister"/> over the scheduler's informer caches (as fresh as their watches). Thread-safe.</summary>
public sealed class InformerClusterLister(
    SharedInformer<Namespace> namespaces,
    SharedInformer<PersistentVolumeClaim> claims,
    SharedInformer<PersistentVolume> volumes,
    SharedInformer<StorageClass> classes,
    SharedInformer<Pdb> budgets) : IClusterLister
{
    public IReadOnlyDictionary<string, string>? NamespaceLabels(string ns) => namespaces.Store.Get(null, ns)?.Metadata?.Labels;
    public PersistentVolumeClaim? GetClaim(string ns, string name) => claims.Store.Get(ns, name);
    public PersistentVolume? GetVolume(string name) => volumes.Store.Get(null, name);
    public IReadOnlyList<PersistentVolume> ListVolumes() => volumes.Store.List();
    public StorageClass? GetStorageClass(string name) => classes.Store.Get(null, name);
    public IReadOnlyList<Pdb> ListDisruptionBudgets(string ns) => budgets.Store.ByIndex(Indexers.Namespace, ns);
}
