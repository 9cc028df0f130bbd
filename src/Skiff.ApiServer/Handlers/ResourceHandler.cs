using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Skiff.Api.Patch;
using Skiff.Api.Selectors;
using Skiff.Api.Validation.FieldValidation;
using Skiff.ApiServer.Errors;
using Skiff.ApiServer.Registry;
using Skiff.ApiServer.Routing;
using Skiff.ApiServer.Serialization;

namespace Skiff.ApiServer.Handlers;

/// <summary>Applies a strategic merge patch to an object of a served resource.</summary>
public delegate JsonNode? StrategicPatcher(ServedResource r, JsonObject original, JsonNode patch);

/// <summary>
/// The one generic HTTP handler behind every resource: decodes the request, calls the
/// <see cref="ObjectRegistry"/> pipeline and encodes the answer (object, list, table, watch
/// stream). Stateless; safe for concurrent requests.
/// </summary>
public sealed class ResourceHandler(ObjectRegistry objects, WatchHandler watches, ITableWriter? tables, StrategicPatcher? strategic, Authorization.IAuthorizer authorizer)
{
    /// <summary>The HttpContext.Items key under which the pipeline leaves the authenticated user.</summary>
    public const string UserKey = "skiff.user";

    /// <summary>Authenticates the token of a TokenReview (null: token reviews answer that token authentication is off).</summary>
    public Authentication.ServiceAccountTokenAuthenticator? TokenReviewer { get; init; }

    /// <summary>Subresources with behaviour of their own (serviceaccounts/token, pods/eviction, ...).</summary>
    public IReadOnlyList<Subresources.ISubresourceHandler> Extra { get; init; } = [];

    public async Task HandleAsync(HttpContext ctx, RequestInfo info, ServedResource r)
    {
        var ct = ctx.RequestAborted;
        var q = ctx.Request.Query;
        var dryRun = q["dryRun"].Count > 0;
        if (dryRun && q["dryRun"].Any(v => v != "All"))
            throw StatusException.BadRequest($"Invalid dryRun value: {q["dryRun"]}");
        if (r.Namespaced && info.Namespace.Length == 0 && info.Verb is not ("list" or "watch"))
            throw StatusException.PageNotFound();
        if (!r.Namespaced && info.Namespace.Length > 0)
            throw StatusException.PageNotFound();

        if (info.Subresource.Length > 0)
        {
            await HandleSubresourceAsync(ctx, info, r, dryRun);
            return;
        }

        switch (info.Verb)
        {
            case "get":
                await WriteObjectAsync(ctx, 200, r, await objects.GetAsync(r, info.Namespace, info.Name, ct));
                break;
            case "list":
            {
                var opts = ParseListOptions(q);
                var page = await objects.ListAsync(r, info.Namespace, opts, ct);
                await WriteListAsync(ctx, r, page);
                break;
            }
            case "watch":
            {
                var opts = ParseListOptions(q);
                if (info.Name.Length > 0)
                    opts = opts with { FieldSelector = FieldSelector.Parse(Join(opts.FieldSelector.ToString(), $"metadata.name={info.Name}")) };
                await watches.ServeAsync(ctx, r, info.Namespace, opts, ResponseFormat.Parse(ctx.Request.Headers.Accept, q["includeObject"]));
                break;
            }
            case "create" when r.GroupResource == new Api.Meta.GroupResource("authentication.k8s.io", "tokenreviews") && TokenReviewer is not null:
            {
                var review = await ReadObjectAsync(ctx, r);
                await WriteObjectAsync(ctx, 201, r, await ReviewResources.AnswerTokenReviewAsync(r, review, TokenReviewer, ct));
                break;
            }
            case "create" when ReviewResources.IsReview(r):
            {
                var review = await ReadObjectAsync(ctx, r);
                var user = ctx.Items[UserKey] as Authentication.UserInfo ?? Authentication.UserInfo.Anonymous;
                await WriteObjectAsync(ctx, 201, r, ReviewResources.Answer(r, review, user, authorizer));
                break;
            }
            case "create":
            {
                if (r.Custom is { Terminating: true })
                    throw StatusException.MethodNotAllowed("create not allowed while custom resource definition is terminating");
                var obj = await ReadObjectAsync(ctx, r);
                var created = await objects.CreateAsync(r, info.Namespace, obj, dryRun, ct, Manager(ctx));
                await WriteObjectAsync(ctx, 201, r, created);
                break;
            }
            case "update":
            {
                var obj = await ReadObjectAsync(ctx, r);
                var (updated, wasCreated) = await objects.UpdateAsync(r, info.Namespace, info.Name, UpdateScope.Main, _ => obj, dryRun, ct, Manager(ctx));
                await WriteObjectAsync(ctx, wasCreated ? 201 : 200, r, updated);
                break;
            }
            case "patch":
            {
                var (result, wasCreated) = await PatchAsync(ctx, r, info, UpdateScope.Main, dryRun);
                await WriteObjectAsync(ctx, wasCreated ? 201 : 200, r, result);
                break;
            }
            case "delete":
            {
                var opts = await ReadDeleteOptionsAsync(ctx, dryRun);
                var (obj, deleted) = await objects.DeleteAsync(r, info.Namespace, info.Name, opts, ct);
                if (deleted && !r.Policy.ReturnDeletedObject) await WriteDeletedStatusAsync(ctx, r, obj);
                else await WriteObjectAsync(ctx, 200, r, obj);
                break;
            }
            case "deletecollection":
            {
                var opts = await ReadDeleteOptionsAsync(ctx, dryRun);
                var list = ParseListOptions(q);
                var page = await objects.ListAsync(r, info.Namespace, list with { Limit = 0, Continue = null }, ct);
                var deleted = new List<JsonObject>();
                foreach (var o in page.Items)
                {
                    try { deleted.Add((await objects.DeleteAsync(r, Obj.Namespace(o), Obj.Name(o), opts, ct)).Object); }
                    catch (StatusException e) when (e.Code == 404) { }
                }
                await WriteListAsync(ctx, r, new ListPage(deleted, page.Revision, null, null));
                break;
            }
            default:
                throw StatusException.MethodNotAllowed($"the server does not allow this method on the requested resource");
        }
    }

    private static string Join(string a, string b) => a.Length == 0 ? b : $"{a},{b}";

    private async Task HandleSubresourceAsync(HttpContext ctx, RequestInfo info, ServedResource r, bool dryRun)
    {
        var ct = ctx.RequestAborted;
        if (!r.Subresources.TryGetValue(info.Subresource, out var sub))
            throw StatusException.PageNotFound();
        if (info.Subresource == "binding" && r.GroupResource == new Api.Meta.GroupResource("", "pods") && info.Verb == "create")
        {
            await BindAsync(ctx, info, r, dryRun);
            return;
        }
        if (info.Subresource == "scale" && sub.Kind == "Scale")
        {
            await HandleScaleAsync(ctx, info, r, dryRun);
            return;
        }
        if (Extra.FirstOrDefault(h => h.Resource == r.GroupResource && h.Subresource == info.Subresource) is { } handler)
        {
            await handler.HandleAsync(ctx, info, r, sub, dryRun);
            return;
        }
        var scope = info.Subresource switch
        {
            "status" => UpdateScope.Status,
            "ephemeralcontainers" when r.GroupResource == new Api.Meta.GroupResource("", "pods") => UpdateScope.EphemeralContainers,
            _ => throw new StatusException(501, "NotImplemented", $"the subresource {r.Resource}/{info.Subresource} is not yet served by this server"),
        };
        switch (info.Verb)
        {
            case "get":
                await WriteObjectAsync(ctx, 200, r, await objects.GetAsync(r, info.Namespace, info.Name, ct));
                break;
            case "update":
            {
                var obj = await ReadObjectAsync(ctx, r);
                var (updated, _) = await objects.UpdateAsync(r, info.Namespace, info.Name, scope, _ => obj, dryRun, ct, Manager(ctx));
                await WriteObjectAsync(ctx, 200, r, updated);
                break;
            }
            case "patch":
            {
                var (result, _) = await PatchAsync(ctx, r, info, scope, dryRun);
                await WriteObjectAsync(ctx, 200, r, result);
                break;
            }
            default:
                throw StatusException.MethodNotAllowed("the server does not allow this method on the requested resource");
        }
    }

    /// <summary>
    /// POST pods/NAME/binding: assigns an unscheduled pod to a node (what a scheduler does), as
    /// upstream's BindingREST: 409 if the pod is already assigned or being deleted.
    /// </summary>
    private async Task BindAsync(HttpContext ctx, RequestInfo info, ServedResource pods, bool dryRun)
    {
        var ct = ctx.RequestAborted;
        var binding = RequestBody.ParseObject(await RequestBody.ReadBytesAsync(ctx.Request, ct), ctx.Request.ContentType);
        if (Obj.Name(binding) is { Length: > 0 } bn && bn != info.Name)
            throw StatusException.BadRequest($"name in URL does not match name in Binding object");
        var node = Obj.Str(binding["target"], "name");
        if (string.IsNullOrEmpty(node))
            throw StatusException.Invalid("", "Binding", info.Name, [new(Api.Validation.FieldErrorType.Required, "target.name", null, "")]);
        // One write, as upstream's BindingREST: spec.nodeName and the PodScheduled=True condition together.
        await objects.UpdateAsync(pods, info.Namespace, info.Name, UpdateScope.Binding, pod =>
        {
            if (pod is null) throw StatusException.NotFound(pods.GroupResource, info.Name);
            if (Obj.Str(pod["metadata"], "deletionTimestamp") is not null)
                throw StatusException.Conflict(pods.GroupResource, info.Name, $"pod {info.Name} is being deleted, cannot be assigned to a host");
            if (Obj.Str(binding["metadata"], "uid") is { Length: > 0 } uid && uid != Obj.Str(pod["metadata"], "uid"))
                throw StatusException.Conflict(pods.GroupResource, info.Name, $"Precondition failed: UID in precondition: {uid}, UID in object meta: {Obj.Str(pod["metadata"], "uid")}");
            var spec = pod["spec"] as JsonObject ?? throw StatusException.BadRequest("pod has no spec");
            if (Obj.Str(spec, "nodeName") is { Length: > 0 } assigned)
                throw StatusException.Conflict(pods.GroupResource, info.Name, $"pod {info.Name} is already assigned to node \"{assigned}\"");
            spec["nodeName"] = node;
            if (binding["metadata"]?["annotations"] is JsonObject extra)
            {
                var annotations = Obj.Meta(pod)["annotations"] as JsonObject ?? new JsonObject();
                foreach (var (k, v) in extra) annotations[k] = v?.DeepClone();
                Obj.Meta(pod)["annotations"] = annotations;
            }
            var status = pod["status"] as JsonObject ?? new JsonObject();
            var conditions = status["conditions"] as JsonArray ?? new JsonArray();
            foreach (var c in conditions.OfType<JsonObject>().Where(c => Obj.Str(c, "type") == "PodScheduled").ToList()) conditions.Remove(c);
            conditions.Add((JsonNode)new JsonObject { ["type"] = "PodScheduled", ["status"] = "True", ["lastProbeTime"] = null, ["lastTransitionTime"] = Obj.Now() });
            status["conditions"] = conditions;
            pod["status"] = status;
            Obj.Meta(pod)["resourceVersion"] = null;
            return pod;
        }, dryRun, ct);
        ctx.Response.StatusCode = 201;
        ctx.Response.ContentType = "application/json";
        await ctx.Response.Body.WriteAsync("""{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success","code":201}"""u8.ToArray(), ct);
    }

    /// <summary>GET/PUT/PATCH of /scale: a Scale view over the parent's spec.replicas (kubectl scale).</summary>
    private async Task HandleScaleAsync(HttpContext ctx, RequestInfo info, ServedResource r, bool dryRun)
    {
        var ct = ctx.RequestAborted;
        JsonObject result;
        switch (info.Verb)
        {
            case "get":
                result = ScaleOf(r, await objects.GetAsync(r, info.Namespace, info.Name, ct));
                break;
            case "update":
            {
                var body = RequestBody.ParseObject(await RequestBody.ReadBytesAsync(ctx.Request, ct), ctx.Request.ContentType);
                var (parent, _) = await objects.UpdateAsync(r, info.Namespace, info.Name, UpdateScope.Scale,
                    cur => ApplyScale(r, cur ?? throw StatusException.NotFound(r.GroupResource, info.Name), body), dryRun, ct, Manager(ctx));
                result = ScaleOf(r, parent);
                break;
            }
            case "patch":
            {
                var contentType = RequestBody.MediaType(ctx.Request.ContentType);
                var patch = RequestBody.Parse(await RequestBody.ReadBytesAsync(ctx.Request, ct), "application/json");
                var (parent, _) = await objects.UpdateAsync(r, info.Namespace, info.Name, UpdateScope.Scale, cur =>
                {
                    if (cur is null) throw StatusException.NotFound(r.GroupResource, info.Name);
                    var scale = ScaleOf(r, cur);
                    JsonNode? patched;
                    try
                    {
                        patched = contentType == "application/json-patch+json" ? JsonPatch.Apply(scale, patch) : JsonMergePatch.Apply(scale, patch);
                    }
                    catch (PatchException e) { throw ToStatus(e); }
                    if (patch is JsonObject po && po["metadata"]?["resourceVersion"] is null) Obj.Meta((JsonObject)patched!)["resourceVersion"] = null;
                    return ApplyScale(r, cur, patched as JsonObject ?? throw StatusException.BadRequest("the patch did not produce an object"));
                }, dryRun, ct, Manager(ctx));
                result = ScaleOf(r, parent);
                break;
            }
            default:
                throw StatusException.MethodNotAllowed("the server does not allow this method on the requested resource");
        }
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = "application/json";
        await using var w = new Utf8JsonWriter(ctx.Response.BodyWriter, Obj.Writer);
        result.WriteTo(w);
        await w.FlushAsync(ct);
    }

    /// <summary>The Scale view of a workload, or of a custom object through its CRD's scale paths.</summary>
    private static JsonObject ScaleOf(ServedResource r, JsonObject parent) =>
        r.Custom is { } c ? c.ScaleOf(parent) : ScaleSubresource.From(parent);

    private static JsonObject ApplyScale(ServedResource r, JsonObject parent, JsonObject scale) =>
        r.Custom is { } c ? c.ApplyScale(parent, scale) : ScaleSubresource.ApplyTo(parent, scale, r.Kind);

    /// <summary>A patch that could not be applied: 422 when it was well-formed but failed (a JSON Patch test), else 400.</summary>
    private static StatusException ToStatus(PatchException e) =>
        e.IsInvalid ? new StatusException(422, "Invalid", e.Message) : StatusException.BadRequest(e.Message);

    /// <summary>The write's field manager: ?fieldManager, else derived from the User-Agent as upstream.</summary>
    private static FieldManagerInfo Manager(HttpContext ctx) =>
        new(Skiff.Api.FieldManagement.ManagedFields.ManagerOrUserAgent(ctx.Request.Query["fieldManager"].FirstOrDefault(), ctx.Request.Headers.UserAgent.ToString()));

    private async Task<(JsonObject, bool)> PatchAsync(HttpContext ctx, ServedResource r, RequestInfo info, UpdateScope scope, bool dryRun)
    {
        var contentType = RequestBody.MediaType(ctx.Request.ContentType);
        var body = await RequestBody.ReadBytesAsync(ctx.Request, ctx.RequestAborted);
        if (contentType == "application/apply-patch+yaml")
            return await ServerSideApplyAsync(ctx, r, info, scope, dryRun, body);
        if (contentType is not ("application/json-patch+json" or "application/merge-patch+json" or "application/strategic-merge-patch+json"))
            throw new StatusException(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json");
        var manager = Manager(ctx);
        if (contentType == "application/strategic-merge-patch+json" && (strategic is null || r.Custom is not null))
            throw new StatusException(415, "UnsupportedMediaType", "strategic merge patch is not supported for this resource");
        var patch = RequestBody.Parse(body, "application/json");
        if (!FieldValidationDirectives.TryParse(ctx.Request.Query["fieldValidation"].FirstOrDefault(), out var directive, out var directiveError))
            throw StatusException.Invalid("meta.k8s.io", "PatchOptions", "", [directiveError!]);
        return await objects.UpdateAsync(r, info.Namespace, info.Name, scope, current =>
        {
            if (current is null) throw StatusException.NotFound(r.GroupResource, info.Name);
            JsonNode? patched;
            try
            {
                patched = contentType switch
                {
                    "application/json-patch+json" => JsonPatch.Apply(current, patch),
                    "application/merge-patch+json" => JsonMergePatch.Apply(current, patch),
                    _ => strategic!(r, current, patch ?? new JsonObject()),
                };
            }
            catch (PatchException e) { throw ToStatus(e); }
            if (patched is not JsonObject po) throw StatusException.BadRequest("the patch did not produce an object");
            CheckPatchedFields(ctx, r, po, directive);
            // A patch that does not name a resourceVersion applies to whatever is current.
            if (patch is JsonObject pobj && pobj["metadata"]?["resourceVersion"] is null && contentType != "application/json-patch+json")
                Obj.Meta(po)["resourceVersion"] = null;
            return po;
        }, dryRun, ctx.RequestAborted, manager);
    }

    /// <summary>
    /// Server-side apply (application/apply-patch+yaml): merge the applied configuration into the live
    /// object (or create it), owning its fields under ?fieldManager; conflicts with other managers are a
    /// 409 unless ?force=true.
    /// </summary>
    private async Task<(JsonObject, bool)> ServerSideApplyAsync(HttpContext ctx, ServedResource r, RequestInfo info, UpdateScope scope, bool dryRun, byte[] body)
    {
        var ct = ctx.RequestAborted;
        var manager = ctx.Request.Query["fieldManager"].FirstOrDefault();
        if (string.IsNullOrEmpty(manager))
            throw StatusException.BadRequest("PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch");
        var force = ctx.Request.Query["force"] == "true";
        if (RequestBody.Parse(body, "application/apply-patch+yaml") is not JsonObject applied)
            throw StatusException.BadRequest("the apply configuration must be an object");
        var schema = r.Info.Definition is { } d ? Skiff.Api.Schema.SchemaExtensions.Find(d) : null;
        var ignored = ObjectRegistry.IgnoredFields(r, scope);
        var subresource = scope.Subresource();

        JsonObject Merge(JsonObject? live)
        {
            Skiff.Api.FieldManagement.ApplyResult result;
            try
            {
                result = Skiff.Api.FieldManagement.ServerSideApply.Apply(live, applied.DeepClone().AsObject(), schema, manager, r.ApiVersion, force,
                    DateTimeOffset.UtcNow, subresource, ignored);
            }
            catch (Skiff.Api.FieldManagement.ApplyException e) { throw StatusException.BadRequest(e.Message); }
            if (result.Conflicts is { } conflicts)
                throw new StatusException(409, "Conflict", conflicts.Message)
                {
                    Causes = conflicts.Items.Select(c => new StatusCause("FieldManagerConflict", $"conflict with {c.Owner.DisplayName}", c.Path.ToString())).ToList(),
                };
            var merged = result.Object!;
            // The applied configuration's resourceVersion, if any, is a precondition; otherwise apply to whatever is current.
            if (Obj.Str(applied["metadata"], "resourceVersion") is null) Obj.Meta(merged)["resourceVersion"] = null;
            return merged;
        }

        if (scope == UpdateScope.Main && await objects.TryGetAsync(r, info.Namespace, info.Name, ct) is null)
        {
            var fresh = Merge(null);
            Obj.Meta(fresh)["name"] = info.Name;
            try { return (await objects.CreateAsync(r, info.Namespace, fresh, dryRun, ct), true); }
            catch (StatusException e) when (e.Code == 409 && e.Reason == "AlreadyExists") { /* lost a race with a create: apply to it */ }
        }
        return await objects.UpdateAsync(r, info.Namespace, info.Name, scope,
            live => Merge(live ?? throw StatusException.NotFound(r.GroupResource, info.Name)), dryRun, ct);
    }

    private static async Task<JsonObject> ReadObjectAsync(HttpContext ctx, ServedResource r)
    {
        var body = await RequestBody.ReadBytesAsync(ctx.Request, ctx.RequestAborted);
        if (body.Length == 0) throw StatusException.BadRequest("the body of the request was empty");
        var obj = RequestBody.ParseObject(body, ctx.Request.ContentType);
        var apiVersion = Obj.Str(obj, "apiVersion");
        var kind = Obj.Str(obj, "kind");
        if (string.IsNullOrEmpty(kind))
            throw StatusException.BadRequest($"Object 'Kind' is missing in '{Truncate(System.Text.Encoding.UTF8.GetString(body))}'");
        if (!string.IsNullOrEmpty(apiVersion) && apiVersion != r.ApiVersion)
            throw StatusException.BadRequest($"the API version in the data ({apiVersion}) does not match the expected API version ({r.ApiVersion})");
        if (kind != r.Kind)
            throw StatusException.BadRequest($"the kind in the data ({kind}) does not match the expected kind ({r.Kind})");
        if (obj["metadata"] is not (null or JsonObject))
            throw StatusException.BadRequest("json: cannot unmarshal into Go struct field .metadata of type v1.ObjectMeta");
        CheckFields(ctx, r, body, obj);
        return obj;
    }

    /// <summary>
    /// Server-side field validation (?fieldValidation=Strict|Warn|Ignore, Warn when absent): unknown and
    /// duplicate fields are a 400 under Strict and Warning headers under Warn; either way unknown fields
    /// are dropped, as upstream's decoder never stores them. Protobuf bodies are not checked, as upstream.
    /// </summary>
    private static void CheckFields(HttpContext ctx, ServedResource r, byte[] body, JsonObject obj)
    {
        if (!FieldValidationDirectives.TryParse(ctx.Request.Query["fieldValidation"].FirstOrDefault(), out var directive, out var error))
            throw StatusException.Invalid("meta.k8s.io", FieldValidationDirectives.OptionsKind(ctx.Request.Method), "", [error!]);
        if (r.Custom is { } custom)
        {
            CustomResources.CustomFieldValidation.Check(ctx, r, custom, obj, directive);
            return;
        }
        if (r.Info.Definition is not { } definition || Skiff.Api.Schema.SchemaExtensions.Find(definition) is not { } schema) return;
        var media = RequestBody.MediaType(ctx.Request.ContentType);
        if (media != "application/vnd.kubernetes.protobuf") CheckTypes(r, obj, schema);
        if (directive != FieldValidationDirective.Ignore && media != "application/vnd.kubernetes.protobuf")
        {
            var json = media is "application/yaml" ? Obj.ToUtf8(obj) : body;
            var findings = UnknownFieldChecker.Find(json, schema);
            if (findings.Count > 0)
            {
                if (directive == FieldValidationDirective.Strict)
                    throw StatusException.BadRequest(StrictDecodingMessages.BadRequestMessage(r.Kind, r.Version, r.Kind, findings));
                foreach (var f in findings) ctx.Response.Headers.Append("Warning", StrictDecodingMessages.WarningHeaderValue(f));
            }
        }
        UnknownFieldPruner.Prune(obj, schema);
    }

    /// <summary>
    /// fieldValidation for json, merge and strategic patches: the stored object has no unknown fields, so
    /// any in the patched result came from the patch: Strict refuses them (upstream's "strict decoding
    /// error"), Warn reports them in Warning headers; either way they are dropped.
    /// </summary>
    private static void CheckPatchedFields(HttpContext ctx, ServedResource r, JsonObject patched, FieldValidationDirective directive)
    {
        if (r.Custom is { } custom)
        {
            CustomResources.CustomFieldValidation.Check(ctx, r, custom, patched, directive);
            return;
        }
        if (r.Info.Definition is not { } definition || Skiff.Api.Schema.SchemaExtensions.Find(definition) is not { } schema) return;
        CheckTypes(r, patched, schema);
        if (directive != FieldValidationDirective.Ignore)
        {
            var findings = UnknownFieldChecker.Find(Obj.ToUtf8(patched), schema);
            if (findings.Count > 0)
            {
                if (directive == FieldValidationDirective.Strict)
                    throw StatusException.BadRequest(StrictDecodingMessages.StrictDecodingError(findings));
                foreach (var f in findings)
                    if (!ctx.Response.Headers["Warning"].Contains(StrictDecodingMessages.WarningHeaderValue(f)))
                        ctx.Response.Headers.Append("Warning", StrictDecodingMessages.WarningHeaderValue(f));
            }
        }
        UnknownFieldPruner.Prune(patched, schema);
    }

    /// <summary>A value the kind's Go types could not hold is a decoding error (400) whatever the field validation, as upstream.</summary>
    private static void CheckTypes(ServedResource r, JsonObject obj, Skiff.Api.Schema.DefinitionSchema schema)
    {
        if (TypeChecker.FirstMismatch(obj, schema) is { } mismatch)
            throw StatusException.BadRequest($"{r.Kind} in version \"{r.Version}\" cannot be handled as a {r.Kind}: {mismatch}");
    }

    private static string Truncate(string s) => s.Length > 200 ? s[..200] + "..." : s;

    private static async Task<DeleteOptions> ReadDeleteOptionsAsync(HttpContext ctx, bool dryRun)
    {
        var q = ctx.Request.Query;
        var opts = new DeleteOptions
        {
            DryRun = dryRun,
            GracePeriodSeconds = long.TryParse(q["gracePeriodSeconds"], out var g) ? g : null,
            PropagationPolicy = q["propagationPolicy"].FirstOrDefault(),
            OrphanDependents = bool.TryParse(q["orphanDependents"], out var od) ? od : null,
        };
        if (ctx.Request.ContentLength is > 0 || ctx.Request.Headers.TransferEncoding.Count > 0)
        {
            var body = await RequestBody.ReadBytesAsync(ctx.Request, ctx.RequestAborted);
            if (body.Length > 0 && RequestBody.Parse(body, ctx.Request.ContentType) is JsonObject o)
                opts = opts.WithBody(o);
        }
        if (opts.OrphanDependents is { } orphanDeps)
        {
            // The deprecated boolean, as upstream: both set is invalid; true means Orphan, false Background.
            if (opts.PropagationPolicy is not null)
                throw StatusException.Invalid("", "DeleteOptions", "", [new(Api.Validation.FieldErrorType.Invalid, "orphanDependents", orphanDeps, "orphanDependents and deletionPropagation cannot be both set")]);
            opts = opts with { PropagationPolicy = orphanDeps ? "Orphan" : "Background" };
        }
        if (opts.PropagationPolicy is not (null or "Orphan" or "Background" or "Foreground"))
            throw StatusException.Invalid("", "DeleteOptions", "", [new(Api.Validation.FieldErrorType.NotSupported, "propagationPolicy", opts.PropagationPolicy, "supported values: \"Foreground\", \"Background\", \"Orphan\", \"nil\"")]);
        return opts;
    }

    public static ListOptions ParseListOptions(IQueryCollection q)
    {
        LabelSelector labels;
        FieldSelector fields;
        try { labels = LabelSelector.Parse(q["labelSelector"]); }
        catch (FormatException e) { throw StatusException.BadRequest($"unable to parse requirement: {e.Message}".Replace("unable to parse requirement: unable to parse requirement: ", "unable to parse requirement: ")); }
        try { fields = FieldSelector.Parse(q["fieldSelector"]); }
        catch (FormatException e) { throw StatusException.BadRequest(e.Message); }
        var opts = new ListOptions
        {
            LabelSelector = labels,
            FieldSelector = fields,
            Limit = long.TryParse(q["limit"], out var l) && l > 0 ? l : 0,
            Continue = q["continue"].FirstOrDefault(),
            ResourceVersion = q["resourceVersion"].FirstOrDefault(),
            ResourceVersionMatch = q["resourceVersionMatch"].FirstOrDefault() ?? "",
            TimeoutSeconds = int.TryParse(q["timeoutSeconds"], out var t) ? t : null,
            AllowWatchBookmarks = q["allowWatchBookmarks"] == "true",
            SendInitialEvents = q["sendInitialEvents"].Count > 0 ? q["sendInitialEvents"] == "true" : null,
        };
        if (opts.ResourceVersionMatch is not ("" or "Exact" or "NotOlderThan"))
            throw StatusException.BadRequest($"resourceVersionMatch: Unsupported value: \"{opts.ResourceVersionMatch}\": supported values: \"Exact\", \"NotOlderThan\"");
        if (opts.ResourceVersionMatch.Length > 0 && string.IsNullOrEmpty(opts.ResourceVersion) && opts.SendInitialEvents is null)
            throw StatusException.BadRequest("resourceVersionMatch is forbidden unless resourceVersion is provided");
        if (opts.ResourceVersionMatch == "Exact" && opts.ResourceVersion == "0")
            throw StatusException.BadRequest("resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\"");
        return opts;
    }

    // ---- encoding ---------------------------------------------------------------------

    /// <summary>The answer to a delete that removed the object, for kinds that do not return it: a Success Status naming it.</summary>
    private static Task WriteDeletedStatusAsync(HttpContext ctx, ServedResource r, JsonObject gone)
    {
        var details = new JsonObject { ["name"] = Obj.Name(gone) };
        if (r.Group.Length > 0) details["group"] = r.Group;
        details["kind"] = r.Resource;
        if (Obj.Str(gone["metadata"], "uid") is { } uid) details["uid"] = uid;
        var status = new JsonObject
        {
            ["kind"] = "Status", ["apiVersion"] = "v1", ["metadata"] = new JsonObject(),
            ["status"] = "Success", ["details"] = details,
        };
        return Subresources.SubresourceIo.WriteAsync(ctx, 200, status);
    }

    public async Task WriteObjectAsync(HttpContext ctx, int status, ServedResource r, JsonObject obj)
    {
        var format = ResponseFormat.Parse(ctx.Request.Headers.Accept, ctx.Request.Query["includeObject"]);
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        await using var w = new Utf8JsonWriter(ctx.Response.BodyWriter, Obj.Writer);
        switch (format.Shape)
        {
            case ResponseShape.Table when tables is not null:
                tables.Write(w, r, [obj], Obj.Str(obj["metadata"], "resourceVersion") ?? "", null, null, format.IncludeObject, true);
                break;
            case ResponseShape.PartialObjectMetadata:
                WritePartial(w, obj);
                break;
            default:
                obj.WriteTo(w);
                break;
        }
        await w.FlushAsync(ctx.RequestAborted);
    }

    private async Task WriteListAsync(HttpContext ctx, ServedResource r, ListPage page)
    {
        var format = ResponseFormat.Parse(ctx.Request.Headers.Accept, ctx.Request.Query["includeObject"]);
        var rv = page.Revision.ToString(CultureInfo.InvariantCulture);
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = "application/json";
        await using var w = new Utf8JsonWriter(ctx.Response.BodyWriter, Obj.Writer);
        if (format.Shape == ResponseShape.Table && tables is not null)
        {
            tables.Write(w, r, page.Items, rv, page.Continue, page.RemainingItemCount, format.IncludeObject, true);
            await w.FlushAsync(ctx.RequestAborted);
            return;
        }
        var partial = format.Shape == ResponseShape.PartialObjectMetadata;
        w.WriteStartObject();
        w.WriteString("kind", partial ? "PartialObjectMetadataList" : r.Kind + "List");
        w.WriteString("apiVersion", partial ? "meta.k8s.io/v1" : r.ApiVersion);
        w.WriteStartObject("metadata");
        w.WriteString("resourceVersion", rv);
        if (page.Continue is not null) w.WriteString("continue", page.Continue);
        if (page.RemainingItemCount is { } rem) w.WriteNumber("remainingItemCount", rem);
        w.WriteEndObject();
        w.WriteStartArray("items");
        var n = 0;
        foreach (var o in page.Items)
        {
            if (partial) WritePartial(w, o); else o.WriteTo(w);
            if (++n % 256 == 0)
            {
                // Utf8JsonWriter only commits into the pipe; flushing the pipe streams the list instead of holding it whole.
                w.Flush();
                await ctx.Response.BodyWriter.FlushAsync(ctx.RequestAborted);
            }
        }
        w.WriteEndArray();
        w.WriteEndObject();
        await w.FlushAsync(ctx.RequestAborted);
    }

    public static void WritePartial(Utf8JsonWriter w, JsonObject o)
    {
        w.WriteStartObject();
        w.WriteString("kind", "PartialObjectMetadata");
        w.WriteString("apiVersion", "meta.k8s.io/v1");
        w.WritePropertyName("metadata");
        (o["metadata"] ?? new JsonObject()).WriteTo(w);
        w.WriteEndObject();
    }
}
