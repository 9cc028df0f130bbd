using Skiff.E2E;

namespace Skiff.Client.Tests.Integration;

/// <summary>One real skiff server shared by the tests of a class; each test uses its own namespace.</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    public SkiffServer Server { get; } = new();
    public KubeClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Server.StartAsync();
        Client = KubeClient.FromKubeconfig(Server.Kubeconfig);
    }

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        await Server.DisposeAsync();
    }

    /// <summary>Creates a fresh namespace for one test.</summary>
    public async Task<string> NewNamespaceAsync(string prefix)
    {
        var name = prefix + "-" + Guid.NewGuid().ToString("N")[..6];
        await Client.Namespaces.CreateAsync(new Skiff.Api.Models.Core.V1.Namespace { Metadata = new() { Name = name } });
        return name;
    }
}

[CollectionDefinition(Name)]
public sealed class ServerCollection : ICollectionFixture<ServerFixture>
{
    public const string Name = "skiff server";
}
