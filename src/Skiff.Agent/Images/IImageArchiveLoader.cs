namespace Skiff.Agent.Images;

/// <summary>Loads one image archive into the runtime's image store.</summary>
public interface IImageArchiveLoader
{
    /// <summary>Imports the archive; returns the image names it created or updated.</summary>
    /// <exception cref="ImageImportException">The runtime refused or could not read the archive.</exception>
    Task<IReadOnlyList<string>> LoadAsync(string archivePath, CancellationToken ct);
}

public sealed class ImageImportException(string message) : Exception(message);
