using Skiff.Api.Meta;
using Skiff.ApiServer.Tables;
using static Skiff.ApiServer.Tests.Tables.TableTestKit;

namespace Skiff.ApiServer.Tests.Tables;

public class ClusterAndNetworkTablesTests
{
    [Fact]
    public void Ingress_row()
    {
        var row = Row(new("networking.k8s.io", "ingresses"), """
            {"metadata":{"name":"web","creationTimestamp":"@created@"},
             "spec":{"ingressClassName":"traefik","rules":[{"host":"a.example.com"},{},{"host":"b.example.com"}],"tls":[{"hosts":["a.example.com"]}]},
             "status":{"loadBalancer":{"ingress":[{"ip":"192.168.1.9"}]}}}
            """);
        Assert.Equal(["web", "traefik", "a.example.com,b.example.com", "192.168.1.9", "80, 443", "10m"], row.Values);
    }

    [Fact]
    public void Ingress_without_hosts_matches_everything()
    {
        var row = Row(new("networking.k8s.io", "ingresses"), """{"metadata":{"name":"i"},"spec":{"rules":[{}]}}""");
        Assert.Equal(("<none>", "*", "", "80"), (row["Class"], row["Hosts"], row["Address"], row["Ports"]));
    }

    [Fact]
    public void Ingress_with_many_hosts_counts_rules_beyond_three() =>
        Assert.Equal("a,b,c + 2 more...", Row(new("networking.k8s.io", "ingresses"),
            """{"metadata":{"name":"i"},"spec":{"rules":[{"host":"a"},{"host":"b"},{"host":"c"},{"host":"d"},{"host":"e"}]}}""")["Hosts"]);

    [Fact]
    public void Lease_holder() =>
        Assert.Equal(["kube-scheduler", "node-a_1234", "10m"], Row(new("coordination.k8s.io", "leases"),
            """{"metadata":{"name":"kube-scheduler","creationTimestamp":"@created@"},"spec":{"holderIdentity":"node-a_1234"}}""").Values);

    [Fact]
    public void Role_binding_subjects()
    {
        var row = Row(new("rbac.authorization.k8s.io", "rolebindings"), """
            {"metadata":{"name":"rb"},"roleRef":{"kind":"ClusterRole","name":"view"},
             "subjects":[{"kind":"User","name":"alice"},{"kind":"Group","name":"devs"},{"kind":"User","name":"bob"},
               {"kind":"ServiceAccount","namespace":"ci","name":"builder"}]}
            """);
        Assert.Equal(["rb", "ClusterRole/view", "<unknown>", "alice, bob", "devs", "ci/builder"], row.Values);
    }

    [Fact]
    public void Default_storage_class_is_marked()
    {
        var row = Row(new("storage.k8s.io", "storageclasses"), """
            {"metadata":{"name":"local-path","annotations":{"storageclass.kubernetes.io/is-default-class":"true"}},
             "provisioner":"rancher.io/local-path","volumeBindingMode":"WaitForFirstConsumer"}
            """);
        Assert.Equal(["local-path (default)", "rancher.io/local-path", "Delete", "WaitForFirstConsumer", false, "<unknown>"], row.Values);
    }

    [Fact]
    public void Endpoint_slice_row()
    {
        var row = Row(new("discovery.k8s.io", "endpointslices"), """
            {"metadata":{"name":"web-abc"},"addressType":"IPv4","ports":[{"name":"http","port":80},{"name":"named"}],
             "endpoints":[{"addresses":["10.42.0.1"]},{"addresses":["10.42.0.2"]}]}
            """);
        Assert.Equal(["web-abc", "IPv4", "80,named", "10.42.0.1,10.42.0.2", "<unknown>"], row.Values);
        Assert.Equal("<unset>", Row(new("discovery.k8s.io", "endpointslices"), """{"metadata":{"name":"e"}}""")["Endpoints"]);
    }

    [Fact]
    public void Csr_condition_and_duration()
    {
        var row = Row(new("certificates.k8s.io", "certificatesigningrequests"), """
            {"metadata":{"name":"csr-1"},"spec":{"signerName":"kubernetes.io/kube-apiserver-client","username":"alice","expirationSeconds":86400},
             "status":{"conditions":[{"type":"Approved","status":"True"}],"certificate":"LS0t"}}
            """);
        Assert.Equal(["csr-1", "<unknown>", "kubernetes.io/kube-apiserver-client", "alice", "24h", "Approved,Issued"], row.Values);
    }

    [Fact]
    public void Api_service_availability()
    {
        var local = Row(new("apiregistration.k8s.io", "apiservices"),
            """{"metadata":{"name":"v1.apps"},"spec":{"group":"apps","version":"v1"},"status":{"conditions":[{"type":"Available","status":"True"}]}}""");
        Assert.Equal(("Local", "True"), (local["Service"], local["Available"]));
        var remote = Row(new("apiregistration.k8s.io", "apiservices"), """
            {"metadata":{"name":"v1beta1.metrics.k8s.io"},"spec":{"service":{"namespace":"kube-system","name":"metrics-server"}},
             "status":{"conditions":[{"type":"Available","status":"False","reason":"MissingEndpoints"}]}}
            """);
        Assert.Equal(("kube-system/metrics-server", "False (MissingEndpoints)"), (remote["Service"], remote["Available"]));
    }

    [Fact]
    public void Resource_claim_states() =>
        Assert.Equal("allocated,reserved", Row(new("resource.k8s.io", "resourceclaims"),
            """{"metadata":{"name":"c"},"status":{"allocation":{},"reservedFor":[{"name":"p"}]}}""")["State"]);

    [Theory]
    [InlineData("rbac.authorization.k8s.io", "roles")]
    [InlineData("rbac.authorization.k8s.io", "clusterroles")]
    [InlineData("", "limitranges")]
    [InlineData("apiextensions.k8s.io", "customresourcedefinitions")]
    [InlineData("example.com", "widgets")]
    public void Kinds_without_a_printer_get_name_and_created_at(string group, string resource)
    {
        var convertor = TableConvertors.For(new(group, resource));
        Assert.Same(GenericTableConvertor.Instance, convertor);
        Assert.Equal([("Name", "string", "name"), ("Created At", "date", "")], convertor.Columns.Select(c => (c.Name, c.Type, c.Format)));
        Assert.Equal(["admin", "2026-01-01T11:50:00Z"],
            convertor.Cells(Parse("""{"metadata":{"name":"admin","creationTimestamp":"2026-01-01T11:50:00Z"}}"""), Now));
    }

    public static TheoryData<string, string> PrintedResources()
    {
        var data = new TheoryData<string, string>();
        foreach (var (group, resource) in new (string, string)[]
        {
            ("", "pods"), ("", "nodes"), ("", "namespaces"), ("", "services"), ("", "endpoints"), ("", "configmaps"), ("", "secrets"),
            ("", "serviceaccounts"), ("", "persistentvolumes"), ("", "persistentvolumeclaims"), ("", "replicationcontrollers"),
            ("", "podtemplates"), ("", "resourcequotas"), ("", "componentstatuses"), ("", "events"), ("events.k8s.io", "events"),
            ("apps", "deployments"), ("apps", "replicasets"), ("apps", "statefulsets"), ("apps", "daemonsets"), ("apps", "controllerrevisions"),
            ("batch", "jobs"), ("batch", "cronjobs"), ("autoscaling", "horizontalpodautoscalers"), ("policy", "poddisruptionbudgets"),
            ("networking.k8s.io", "ingresses"), ("networking.k8s.io", "ingressclasses"), ("networking.k8s.io", "networkpolicies"),
            ("networking.k8s.io", "servicecidrs"), ("networking.k8s.io", "ipaddresses"), ("discovery.k8s.io", "endpointslices"),
            ("storage.k8s.io", "storageclasses"), ("storage.k8s.io", "volumeattributesclasses"), ("storage.k8s.io", "csidrivers"),
            ("storage.k8s.io", "csinodes"), ("storage.k8s.io", "csistoragecapacities"), ("storage.k8s.io", "volumeattachments"),
            ("rbac.authorization.k8s.io", "rolebindings"), ("rbac.authorization.k8s.io", "clusterrolebindings"),
            ("certificates.k8s.io", "certificatesigningrequests"), ("certificates.k8s.io", "clustertrustbundles"),
            ("coordination.k8s.io", "leases"), ("coordination.k8s.io", "leasecandidates"), ("scheduling.k8s.io", "priorityclasses"),
            ("node.k8s.io", "runtimeclasses"), ("admissionregistration.k8s.io", "mutatingwebhookconfigurations"),
            ("admissionregistration.k8s.io", "validatingadmissionpolicies"), ("admissionregistration.k8s.io", "mutatingadmissionpolicybindings"),
            ("flowcontrol.apiserver.k8s.io", "flowschemas"), ("flowcontrol.apiserver.k8s.io", "prioritylevelconfigurations"),
            ("internal.apiserver.k8s.io", "storageversions"), ("resource.k8s.io", "deviceclasses"), ("resource.k8s.io", "resourceclaims"),
            ("resource.k8s.io", "resourceclaimtemplates"), ("resource.k8s.io", "resourceslices"),
            ("storagemigration.k8s.io", "storageversionmigrations"), ("apiregistration.k8s.io", "apiservices"),
        })
            data.Add(group, resource);
        return data;
    }

    /// <summary>Stored objects can be sparse; every printer must still give one cell per column.</summary>
    [Theory]
    [MemberData(nameof(PrintedResources))]
    public void Every_printer_copes_with_a_bare_object(string group, string resource)
    {
        Assert.True(TableConvertors.HasPrinter(new(group, resource)));
        var convertor = TableConvertors.For(new(group, resource));
        var cells = convertor.Cells(Parse("""{"metadata":{"name":"x"}}"""), Now);
        Assert.Equal(convertor.Columns.Count, cells.Length);
        Assert.All(cells, c => Assert.True(c is null or string or long or bool, $"unexpected cell type {c?.GetType()}"));
    }
}
