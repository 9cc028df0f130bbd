using Skiff.Api.Models.Meta.V1;

namespace Skiff.Client.Watch;

public enum WatchEventType { Added, Modified, Deleted, Bookmark, Error }

/// <summary>
/// One event of a watch stream. For <see cref="WatchEventType.Bookmark"/> only <see cref="ResourceVersion"/>
/// is meaningful; for <see cref="WatchEventType.Error"/> <see cref="Status"/> says why (410 Expired: relist).
/// Immutable; safe to hand between threads.
/// </summary>
public readonly record struct WatchEvent<T>(WatchEventType Type, T? Object, string ResourceVersion, Status? Status = null)
    where T : class;
