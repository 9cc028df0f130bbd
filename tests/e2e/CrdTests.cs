using System.Net;
using System.Text.Json.Nodes;

namespace Skiff.E2E;

/// <summary>CustomResourceDefinitions end to end with the real kubectl: serving, schema validation,
/// pruning, defaults, printer columns, scale and status subresources, versions, names, deletion.</summary>
public sealed class CrdTests(ServerFixture f) : IClassFixture<ServerFixture>
{
    /// <summary>A CronTab-like CRD in its own group, so tests sharing a server never collide.</summary>
    private static string Crd(string group, string scope = "Namespaced", string extraVersion = "") => $$"""
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: {{Plural(group)}}.{{group}}
        spec:
          group: {{group}}
          scope: {{scope}}
          names:
            plural: {{Plural(group)}}
            singular: {{Plural(group).TrimEnd('s')}}
            kind: CronTab
            shortNames: [ct{{group.Split('.')[0]}}]
            categories: [all]
          versions:
          {{extraVersion}}
          - name: v1
            served: true
            storage: true
            subresources:
              status: {}
              scale:
                specReplicasPath: .spec.replicas
                statusReplicasPath: .status.replicas
                labelSelectorPath: .status.selector
            additionalPrinterColumns:
            - {name: Spec, type: string, jsonPath: .spec.cronSpec}
            - {name: Replicas, type: integer, jsonPath: .spec.replicas}
            - {name: Ready, type: boolean, jsonPath: .status.ready}
            - {name: Age, type: date, jsonPath: .metadata.creationTimestamp}
            schema:
              openAPIV3Schema:
                type: object
                properties:
                  spec:
                    type: object
                    required: [cronSpec]
                    properties:
                      cronSpec: {type: string, minLength: 1}
                      image: {type: string}
                      replicas: {type: integer, minimum: 0, maximum: 10, default: 1}
                      port: {x-kubernetes-int-or-string: true}
                      template:
                        type: object
                        x-kubernetes-embedded-resource: true
                        x-kubernetes-preserve-unknown-fields: true
                      extra:
                        type: object
                        x-kubernetes-preserve-unknown-fields: true
                  status:
                    type: object
                    properties:
                      replicas: {type: integer}
                      selector: {type: string}
                      ready: {type: boolean}
        """;

    /// <summary>Each test's CRD has its own plural ("accepttabs" in accept.example.com), so kubectl never has to choose.</summary>
    private static string Plural(string group) => group.Split('.')[0] + "tabs";

    private static string CronTab(string group, string name, string spec, string version = "v1") => $$"""
        apiVersion: {{group}}/{{version}}
        kind: CronTab
        metadata: {name: {{name}}}
        spec: {{spec}}
        """;

    private async Task CreateCrdAsync(string yaml, string name)
    {
        await Kubectl.OkWithInputAsync(f.Server, yaml, "apply", "-f", "-");
        await Kubectl.OkAsync(f.Server, "wait", "--for=condition=established", "--timeout=20s", "crd/" + name);
    }

    [Fact]
    public async Task AcceptanceColumnsValidationScaleAndPruning()
    {
        const string group = "accept.example.com";
        await CreateCrdAsync(Crd(group), Plural(group) + "." + group);
        var ns = await f.NamespaceAsync("crd");

        // Unknown fields are pruned (with validation off, kubectl does not ask for Strict); defaults are filled in.
        await Kubectl.OkWithInputAsync(f.Server, CronTab(group, "a", "{cronSpec: '*/5 * * * *', image: nginx, junk: 1, extra: {free: form}}"),
            "create", "-n", ns, "--validate=false", "-f", "-");
        var stored = JsonNode.Parse(await Kubectl.OkAsync(f.Server, "get", "-n", ns, Plural(group), "a", "-o", "json"))!;
        Assert.Null(stored["spec"]!["junk"]);
        Assert.Equal("form", (string?)stored["spec"]!["extra"]!["free"]);
        Assert.Equal(1, (int)stored["spec"]!["replicas"]!);

        // Strict field validation (kubectl's default) refuses the unknown field with upstream's message.
        var strict = await Kubectl.RunAsync(f.Server, ["create", "-n", ns, "-f", "-"], CronTab(group, "b", "{cronSpec: 'x', junk: 1}"));
        Assert.NotEqual(0, strict.ExitCode);
        Assert.Contains("CronTab in version \"v1\" cannot be handled as a CronTab: strict decoding error: unknown field \"spec.junk\"", strict.Stderr);

        // Printer columns.
        var table = await Kubectl.OkAsync(f.Server, "get", "-n", ns, Plural(group));
        var lines = table.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^NAME\s+SPEC\s+REPLICAS\s+READY\s+AGE$", lines[0]);
        Assert.Matches(@"^a\s+\*/5 \* \* \* \*\s+1\s+(<none>)?\s*\d+s$", lines[1]);

        // An invalid object: 422 with the schema path.
        var invalid = await Kubectl.RunAsync(f.Server, ["create", "-n", ns, "-f", "-"], CronTab(group, "c", "{cronSpec: 'x', replicas: many}"));
        Assert.NotEqual(0, invalid.ExitCode);
        Assert.Contains("spec.replicas: Invalid value: \"string\": spec.replicas in body must be of type integer: \"string\"", invalid.Stderr);
        using var api = new ApiClient(f.Server);
        var response = await api.SendAsync(HttpMethod.Post, $"/apis/{group}/v1/namespaces/{ns}/{Plural(group)}",
            $$$"""{"apiVersion":"{{{group}}}/v1","kind":"CronTab","metadata":{"name":"d"},"spec":{"replicas":11}}""");
        Assert.Equal((HttpStatusCode)422, response.StatusCode);
        var status = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var causes = status["details"]!["causes"]!.AsArray().Select(c => $"{c!["field"]}|{c["reason"]}").ToList();
        Assert.Contains("spec.cronSpec|FieldValueRequired", causes);
        Assert.Contains("spec.replicas|FieldValueInvalid", causes);
        Assert.Contains("spec.replicas in body should be less than or equal to 10", (string?)status["message"]);

        // kubectl scale goes through the scale subresource to spec.replicas.
        Assert.Contains($"crontab.{group}/a scaled", await Kubectl.OkAsync(f.Server, "scale", "-n", ns, Plural(group), "a", "--replicas=4"));
        Assert.Equal("4", await Kubectl.OkAsync(f.Server, "get", "-n", ns, Plural(group), "a", "-o", "jsonpath={.spec.replicas}"));
        var scale = JsonNode.Parse(await Kubectl.OkAsync(f.Server, "get", "--raw", $"/apis/{group}/v1/namespaces/{ns}/{Plural(group)}/a/scale"))!;
        Assert.Equal("Scale", (string?)scale["kind"]);
        Assert.Equal(4, (int)scale["spec"]!["replicas"]!);
    }

    [Fact]
    public async Task StatusSubresourceSplitsSpecAndStatus()
    {
        const string group = "status.example.com";
        await CreateCrdAsync(Crd(group), Plural(group) + "." + group);
        var ns = await f.NamespaceAsync("crdstatus");
        await Kubectl.OkWithInputAsync(f.Server, CronTab(group, "s", "{cronSpec: 'x'}"), "create", "-n", ns, "-f", "-");

        // The main endpoint ignores status; /status ignores everything else.
        await Kubectl.OkAsync(f.Server, "patch", "-n", ns, Plural(group), "s", "--type=merge", "-p", """{"spec":{"image":"a"},"status":{"replicas":3}}""");
        Assert.Equal("a|", await Kubectl.OkAsync(f.Server, "get", "-n", ns, Plural(group), "s", "-o", "jsonpath={.spec.image}|{.status.replicas}"));
        await Kubectl.OkAsync(f.Server, "patch", "-n", ns, Plural(group), "s", "--subresource=status", "--type=merge", "-p",
            """{"spec":{"image":"b"},"status":{"replicas":3,"ready":true,"selector":"app=s"}}""");
        Assert.Equal("a|3", await Kubectl.OkAsync(f.Server, "get", "-n", ns, Plural(group), "s", "-o", "jsonpath={.spec.image}|{.status.replicas}"));
        // The spec change bumped the generation; the status write did not.
        Assert.Equal("2", await Kubectl.OkAsync(f.Server, "get", "-n", ns, Plural(group), "s", "-o", "jsonpath={.metadata.generation}"));
        var scale = JsonNode.Parse(await Kubectl.OkAsync(f.Server, "get", "--raw", $"/apis/{group}/v1/namespaces/{ns}/{Plural(group)}/s/scale"))!;
        Assert.Equal(3, (int)scale["status"]!["replicas"]!);
        Assert.Equal("app=s", (string?)scale["status"]!["selector"]);
        Assert.Contains("true", await Kubectl.OkAsync(f.Server, "get", "-n", ns, Plural(group), "s"));
    }

    [Fact]
    public async Task EstablishedAndNamesAcceptedConditionsAppear()
    {
        const string group = "cond.example.com";
        await Kubectl.OkWithInputAsync(f.Server, Crd(group), "apply", "-f", "-");
        var conditions = "";
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            conditions = await Kubectl.OkAsync(f.Server, "get", "crd", Plural(group) + "." + group, "-o",
                "jsonpath={range .status.conditions[*]}{.type}={.status}/{.reason} {end}");
            if (conditions.Contains("Established=True")) break;
            await Task.Delay(100);
        }
        Assert.Contains("Established=True/InitialNamesAccepted", conditions);
        Assert.Contains("NamesAccepted=True/NoConflicts", conditions);
        Assert.Equal("v1", await Kubectl.OkAsync(f.Server, "get", "crd", Plural(group) + "." + group, "-o", "jsonpath={.status.storedVersions[0]}"));
        Assert.Equal("CronTabList", await Kubectl.OkAsync(f.Server, "get", "crd", Plural(group) + "." + group, "-o", "jsonpath={.status.acceptedNames.listKind}"));
    }

    [Fact]
    public async Task InvalidCrdsAreRefusedWithFieldCauses()
    {
        var bad = Crd("nodot").Replace("name: nodottabs.nodot", "name: wrong.nodot");
        var result = await Kubectl.RunAsync(f.Server, ["create", "-f", "-"], bad);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("metadata.name: Invalid value: \"wrong.nodot\": must be spec.names.plural+\".\"+spec.group", result.Stderr);
        Assert.Contains("spec.group: Invalid value: \"nodot\": should be a domain with at least one dot", result.Stderr);

        var untyped = Crd("untyped.example.com").Replace("image: {type: string}", "image: {description: no type}");
        result = await Kubectl.RunAsync(f.Server, ["create", "-f", "-"], untyped);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[image].type: Required value: must not be empty for specified object fields", result.Stderr);
    }

    [Fact]
    public async Task ShortNamesAndCategoriesWork()
    {
        const string group = "short.example.com";
        await CreateCrdAsync(Crd(group), Plural(group) + "." + group);
        var ns = await f.NamespaceAsync("crdshort");
        await Kubectl.OkWithInputAsync(f.Server, CronTab(group, "x", "{cronSpec: 'y'}"), "create", "-n", ns, "-f", "-");
        Assert.Contains("x", await Kubectl.OkAsync(f.Server, "get", "-n", ns, "ctshort", "-o", "name"));
        Assert.Contains($"crontab.{group}/x", await Kubectl.OkAsync(f.Server, "get", "-n", ns, "all", "-o", "name"));
        var resources = await Kubectl.OkAsync(f.Server, "api-resources", "--api-group=" + group);
        Assert.Matches(@"shorttabs\s+ctshort\s+short\.example\.com/v1\s+true\s+CronTab", resources);
    }

    [Fact]
    public async Task TwoVersionsAreServedWithConversionNone()
    {
        const string group = "versions.example.com";
        const string v1beta1 = """
            - name: v1beta1
                served: true
                storage: false
                schema:
                  openAPIV3Schema:
                    type: object
                    properties:
                      spec: {type: object, x-kubernetes-preserve-unknown-fields: true}
            """;
        await CreateCrdAsync(Crd(group, extraVersion: v1beta1), Plural(group) + "." + group);
        var ns = await f.NamespaceAsync("crdversions");
        await Kubectl.OkWithInputAsync(f.Server, CronTab(group, "old", "{cronSpec: 'z', anything: goes}", "v1beta1"), "create", "-n", ns, "-f", "-");
        Assert.Equal($"{group}/v1beta1|goes", await Kubectl.OkAsync(f.Server, "get", "-n", ns, $"{Plural(group)}.v1beta1.{group}", "old", "-o", "jsonpath={.apiVersion}|{.spec.anything}"));
        Assert.Equal($"{group}/v1", await Kubectl.OkAsync(f.Server, "get", "-n", ns, $"{Plural(group)}.v1.{group}", "old", "-o", "jsonpath={.apiVersion}"));
        var groupDoc = JsonNode.Parse(await Kubectl.OkAsync(f.Server, "get", "--raw", $"/apis/{group}"))!;
        Assert.Equal("v1", (string?)groupDoc["preferredVersion"]!["version"]);
        Assert.Equal(2, groupDoc["versions"]!.AsArray().Count);
        var openApi = await Kubectl.OkAsync(f.Server, "get", "--raw", $"/openapi/v3/apis/{group}/v1beta1");
        Assert.Contains("com.example.versions.v1beta1.CronTab", openApi);
    }

    [Fact]
    public async Task DeletingACrdRemovesItsInstancesAndItsDiscovery()
    {
        const string group = "gone.example.com";
        await CreateCrdAsync(Crd(group), Plural(group) + "." + group);
        var ns1 = await f.NamespaceAsync("crdgone");
        var ns2 = await f.NamespaceAsync("crdgone");
        foreach (var ns in new[] { ns1, ns2 })
            await Kubectl.OkWithInputAsync(f.Server, CronTab(group, "doomed", "{cronSpec: 'z'}"), "create", "-n", ns, "-f", "-");
        Assert.Contains(group, await Kubectl.OkAsync(f.Server, "get", "--raw", "/apis"));
        Assert.Contains(group, await Kubectl.OkAsync(f.Server, "get", "--raw", "/openapi/v3"));

        await Kubectl.OkAsync(f.Server, "delete", "crd", Plural(group) + "." + group, "--timeout=30s");
        var gone = await Kubectl.RunAsync(f.Server, ["get", "crd", Plural(group) + "." + group]);
        Assert.Contains("NotFound", gone.Stderr);
        Assert.DoesNotContain(group, await Kubectl.OkAsync(f.Server, "get", "--raw", "/apis"));
        Assert.DoesNotContain(group, await Kubectl.OkAsync(f.Server, "get", "--raw", "/openapi/v3"));

        // Re-created, the CRD starts empty: the old instances were deleted, not hidden.
        await CreateCrdAsync(Crd(group), Plural(group) + "." + group);
        using var api = new ApiClient(f.Server);
        var list = JsonNode.Parse(await (await api.SendAsync(HttpMethod.Get, $"/apis/{group}/v1/{Plural(group)}")).Content.ReadAsStringAsync())!;
        Assert.Empty(list["items"]!.AsArray());
    }

    [Fact]
    public async Task ATerminatingCrdWaitsForInstanceFinalizersAndRefusesNewInstances()
    {
        const string group = "held.example.com";
        await CreateCrdAsync(Crd(group), Plural(group) + "." + group);
        var ns = await f.NamespaceAsync("crdheld");
        await Kubectl.OkWithInputAsync(f.Server, CronTab(group, "held", "{cronSpec: 'z'}").Replace("metadata: {name: held}",
            "metadata: {name: held, finalizers: [example.com/hold]}"), "create", "-n", ns, "-f", "-");

        await Kubectl.OkAsync(f.Server, "delete", "crd", Plural(group) + "." + group, "--wait=false");
        await Kubectl.OkAsync(f.Server, "wait", "--for=condition=Terminating", "--timeout=20s", "crd/" + Plural(group) + "." + group);
        var refused = await Kubectl.RunAsync(f.Server, ["create", "-n", ns, "-f", "-"], CronTab(group, "late", "{cronSpec: 'z'}"));
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("create not allowed while custom resource definition is terminating", refused.Stderr);
        // The instance is marked for deletion but held by its finalizer, and so is the CRD.
        Assert.NotEqual("", await Kubectl.OkAsync(f.Server, "get", "-n", ns, Plural(group) + "." + group, "held", "-o", "jsonpath={.metadata.deletionTimestamp}"));

        await Kubectl.OkAsync(f.Server, "patch", "-n", ns, Plural(group) + "." + group, "held", "--type=merge", "-p", """{"metadata":{"finalizers":null}}""");
        await Kubectl.OkAsync(f.Server, "wait", "--for=delete", "--timeout=20s", "crd/" + Plural(group) + "." + group);
        Assert.DoesNotContain(group, await Kubectl.OkAsync(f.Server, "get", "--raw", "/apis"));
    }
}
