using Microsoft.Extensions.Logging;

namespace Skiff.Agent.Images;

/// <summary>What happened to one archive in a scan.</summary>
public sealed record ImportOutcome(string Path, bool Succeeded, IReadOnlyList<string> Images, string? Error);

/// <summary>
/// Air-gap images, k3s style: every <c>*.tar</c>, <c>*.tar.gz</c> and <c>*.tgz</c> in the images
/// dir (<c>&lt;data-dir&gt;/agent/images</c>) is imported at start, and again whenever a file
/// appears or changes (a file system watcher, with a slow poll behind it). A file modified less
/// than <see cref="SettleTime"/> ago is still being copied and waits for the next scan.
/// </summary>
public sealed class AirgapImporter(string imagesDir, IImageArchiveLoader loader, ILogger<AirgapImporter> logger)
{
    private readonly ImportLedger _ledger = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _imported = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _changed = new(0);

    public TimeSpan SettleTime { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(30);
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    public ImportLedger Ledger => _ledger;

    /// <summary>
    /// The names of every image imported from an archive since start: pinned, so that image garbage collection
    /// never removes what an air-gapped node cannot pull again (k3s pins them too). Thread-safe snapshot.
    /// </summary>
    public IReadOnlyCollection<string> ImportedImages => [.. _imported.Keys];

    /// <summary>Completes once the first scan at start is over (whatever it imported): until then <see cref="ImportedImages"/> is incomplete.</summary>
    public Task FirstScan => _firstScan.Task;

    public bool FirstScanDone => _firstScan.Task.IsCompleted;

    private readonly TaskCompletionSource _firstScan = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static bool IsArchive(string path) =>
        path.EndsWith(".tar", StringComparison.OrdinalIgnoreCase) || CtrImageLoader.IsGzip(path);

    /// <summary>One scan: imports every archive that is new or changed and has settled.</summary>
    public async Task<IReadOnlyList<ImportOutcome>> ImportChangedAsync(CancellationToken ct)
    {
        var outcomes = new List<ImportOutcome>();
        if (!Directory.Exists(imagesDir)) return outcomes;
        var files = new DirectoryInfo(imagesDir).EnumerateFiles()
            .Where(f => IsArchive(f.Name))
            .OrderBy(f => f.Name, StringComparer.Ordinal)
            .ToList();
        _ledger.Retain(files.Select(f => f.FullName).ToHashSet(StringComparer.Ordinal));
        var now = Clock.GetUtcNow().UtcDateTime;
        foreach (var file in files)
        {
            var state = ArchiveState.Of(file);
            if (!_ledger.NeedsImport(file.FullName, state)) continue;
            if (now - state.ModifiedUtc < SettleTime)
            {
                PendingSettle = true;
                continue;
            }
            try
            {
                var images = await loader.LoadAsync(file.FullName, ct).ConfigureAwait(false);
                _ledger.Record(file.FullName, state, succeeded: true);
                foreach (var image in images) _imported.TryAdd(image, 0);
                logger.LogInformation("Imported {Archive}: {Images}", file.Name, string.Join(", ", images));
                outcomes.Add(new ImportOutcome(file.FullName, true, images, null));
            }
            catch (ImageImportException e)
            {
                _ledger.Record(file.FullName, state, succeeded: false);
                logger.LogWarning("Could not import {Archive}: {Error}", file.Name, e.Message);
                outcomes.Add(new ImportOutcome(file.FullName, false, [], e.Message));
            }
        }
        return outcomes;
    }

    /// <summary>True after a scan that skipped a file still being written.</summary>
    private bool PendingSettle { get; set; }

    /// <summary>Imports at start, then on every change, until cancelled.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        Directory.CreateDirectory(imagesDir);
        using var watcher = new FileSystemWatcher(imagesDir)
        {
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size,
        };
        FileSystemEventHandler onChange = (_, e) => { if (IsArchive(e.Name ?? "")) Signal(); };
        watcher.Created += onChange;
        watcher.Changed += onChange;
        watcher.Renamed += (_, e) => { if (IsArchive(e.Name ?? "")) Signal(); };
        watcher.EnableRaisingEvents = true;

        while (!ct.IsCancellationRequested)
        {
            PendingSettle = false;
            try
            {
                await ImportChangedAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                _firstScan.TrySetResult();
                return;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                logger.LogWarning(e, "Scanning {Dir} failed", imagesDir);
            }
            _firstScan.TrySetResult();
            var wait = PendingSettle ? SettleTime : PollInterval;
            try
            {
                await _changed.WaitAsync(wait, ct).ConfigureAwait(false);
                // A copy raises many events; let them pass, then scan once.
                await Task.Delay(TimeSpan.FromMilliseconds(200), ct).ConfigureAwait(false);
                while (_changed.CurrentCount > 0) await _changed.WaitAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void Signal()
    {
        if (_changed.CurrentCount == 0) _changed.Release();
    }
}
