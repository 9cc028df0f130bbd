namespace Skiff.Storage.LogStructured;

/// <summary>Something queued for the writer loop.</summary>
internal abstract class PendingWork
{
    public abstract void Fail(Exception error);
}

internal enum WriteKind : byte { Create, Update, Delete }

/// <summary>One caller's write, completed by the writer loop after its transaction commits.</summary>
internal sealed class PendingWrite(WriteKind kind, string key, byte[] value, long expectedRevision, CancellationToken ct)
    : PendingWork
{
    public readonly WriteKind Kind = kind;
    public readonly string Key = key;
    public readonly byte[] Value = value;
    public readonly long ExpectedRevision = expectedRevision;
    public readonly CancellationToken CancellationToken = ct;
    public readonly TaskCompletionSource<WriteResult> Completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public WriteResult Result;
    public bool Skipped;

    public override void Fail(Exception error) => Completion.TrySetException(error);
}

/// <summary>One compaction step: drop history in (After, UpTo].</summary>
internal sealed class PendingCompaction(long after, long upTo) : PendingWork
{
    public readonly long After = after;
    public readonly long UpTo = upTo;
    public readonly TaskCompletionSource Completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override void Fail(Exception error) => Completion.TrySetException(error);
}
