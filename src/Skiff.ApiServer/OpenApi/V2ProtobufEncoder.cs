using System.Text.Json;
using Google.Protobuf;
using Skiff.ApiServer.OpenApi.Proto;

namespace Skiff.ApiServer.OpenApi;

/// <summary>
/// Converts the v2 JSON document into gnostic's OpenAPIv2 protobuf <c>Document</c>, the form
/// kubectl asks for with Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf.
/// Vendor extensions travel as YAML text in <c>Any.yaml</c>; the JSON text of the value is
/// used, which YAML parsers read as flow style. Stateless.
/// </summary>
public static class V2ProtobufEncoder
{
    public static byte[] Encode(ReadOnlyMemory<byte> v2Json)
    {
        using var json = JsonDocument.Parse(v2Json);
        return ToDocument(json.RootElement).ToByteArray();
    }

    public static Document ToDocument(JsonElement root)
    {
        var doc = new Document();
        foreach (var p in root.EnumerateObject())
        {
            switch (p.Name)
            {
                case "swagger": doc.Swagger = p.Value.GetString() ?? ""; break;
                case "info": doc.Info = ToInfo(p.Value); break;
                case "host": doc.Host = p.Value.GetString() ?? ""; break;
                case "basePath": doc.BasePath = p.Value.GetString() ?? ""; break;
                case "schemes": doc.Schemes.AddRange(Strings(p.Value)); break;
                case "consumes": doc.Consumes.AddRange(Strings(p.Value)); break;
                case "produces": doc.Produces.AddRange(Strings(p.Value)); break;
                case "paths": doc.Paths = ToPaths(p.Value); break;
                case "definitions":
                    doc.Definitions = new Definitions();
                    foreach (var d in p.Value.EnumerateObject())
                        doc.Definitions.AdditionalProperties.Add(new NamedSchema { Name = d.Name, Value = ToSchema(d.Value) });
                    break;
                case "security":
                    foreach (var s in p.Value.EnumerateArray()) doc.Security.Add(ToSecurityRequirement(s));
                    break;
                case "securityDefinitions": doc.SecurityDefinitions = ToSecurityDefinitions(p.Value); break;
                default:
                    if (IsExtension(p.Name)) doc.VendorExtension.Add(Extension(p));
                    break;
            }
        }
        return doc;
    }

    private static Info ToInfo(JsonElement e)
    {
        var info = new Info();
        foreach (var p in e.EnumerateObject())
        {
            if (p.NameEquals("title")) info.Title = p.Value.GetString() ?? "";
            else if (p.NameEquals("version")) info.Version = p.Value.GetString() ?? "";
            else if (p.NameEquals("description")) info.Description = p.Value.GetString() ?? "";
            else if (IsExtension(p.Name)) info.VendorExtension.Add(Extension(p));
        }
        return info;
    }

    private static Paths ToPaths(JsonElement e)
    {
        var paths = new Paths();
        foreach (var p in e.EnumerateObject())
        {
            if (IsExtension(p.Name)) paths.VendorExtension.Add(Extension(p));
            else paths.Path.Add(new NamedPathItem { Name = p.Name, Value = ToPathItem(p.Value) });
        }
        return paths;
    }

    private static PathItem ToPathItem(JsonElement e)
    {
        var item = new PathItem();
        foreach (var p in e.EnumerateObject())
        {
            switch (p.Name)
            {
                case "$ref": item.Ref = p.Value.GetString() ?? ""; break;
                case "get": item.Get = ToOperation(p.Value); break;
                case "put": item.Put = ToOperation(p.Value); break;
                case "post": item.Post = ToOperation(p.Value); break;
                case "delete": item.Delete = ToOperation(p.Value); break;
                case "options": item.Options = ToOperation(p.Value); break;
                case "head": item.Head = ToOperation(p.Value); break;
                case "patch": item.Patch = ToOperation(p.Value); break;
                case "parameters": foreach (var x in p.Value.EnumerateArray()) item.Parameters.Add(ToParametersItem(x)); break;
                default: if (IsExtension(p.Name)) item.VendorExtension.Add(Extension(p)); break;
            }
        }
        return item;
    }

    private static Operation ToOperation(JsonElement e)
    {
        var op = new Operation();
        foreach (var p in e.EnumerateObject())
        {
            switch (p.Name)
            {
                case "tags": op.Tags.AddRange(Strings(p.Value)); break;
                case "summary": op.Summary = p.Value.GetString() ?? ""; break;
                case "description": op.Description = p.Value.GetString() ?? ""; break;
                case "operationId": op.OperationId = p.Value.GetString() ?? ""; break;
                case "produces": op.Produces.AddRange(Strings(p.Value)); break;
                case "consumes": op.Consumes.AddRange(Strings(p.Value)); break;
                case "parameters": foreach (var x in p.Value.EnumerateArray()) op.Parameters.Add(ToParametersItem(x)); break;
                case "responses": op.Responses = ToResponses(p.Value); break;
                case "schemes": op.Schemes.AddRange(Strings(p.Value)); break;
                case "deprecated": op.Deprecated = p.Value.ValueKind == JsonValueKind.True; break;
                default: if (IsExtension(p.Name)) op.VendorExtension.Add(Extension(p)); break;
            }
        }
        return op;
    }

    private static ParametersItem ToParametersItem(JsonElement e)
    {
        if (e.TryGetProperty("$ref", out var reference))
            return new ParametersItem { JsonReference = new JsonReference { Ref = reference.GetString() ?? "" } };

        var location = e.TryGetProperty("in", out var inValue) ? inValue.GetString() ?? "" : "";
        var name = Str(e, "name");
        var description = Str(e, "description");
        var required = e.TryGetProperty("required", out var r) && r.ValueKind == JsonValueKind.True;
        var type = Str(e, "type");
        var format = Str(e, "format");
        var unique = e.TryGetProperty("uniqueItems", out var u) && u.ValueKind == JsonValueKind.True;

        var parameter = new Parameter();
        switch (location)
        {
            case "body":
                parameter.BodyParameter = new BodyParameter
                {
                    Name = name, In = location, Required = required, Description = description,
                    Schema = e.TryGetProperty("schema", out var s) ? ToSchema(s) : new Schema(),
                };
                break;
            case "path":
                parameter.NonBodyParameter = new NonBodyParameter
                {
                    PathParameterSubSchema = new PathParameterSubSchema
                    { Name = name, In = location, Required = required, Description = description, Type = type, Format = format, UniqueItems = unique },
                };
                break;
            case "header":
                parameter.NonBodyParameter = new NonBodyParameter
                {
                    HeaderParameterSubSchema = new HeaderParameterSubSchema
                    { Name = name, In = location, Required = required, Description = description, Type = type, Format = format, UniqueItems = unique },
                };
                break;
            case "formData":
                parameter.NonBodyParameter = new NonBodyParameter
                {
                    FormDataParameterSubSchema = new FormDataParameterSubSchema
                    { Name = name, In = location, Required = required, Description = description, Type = type, Format = format, UniqueItems = unique },
                };
                break;
            default:
                parameter.NonBodyParameter = new NonBodyParameter
                {
                    QueryParameterSubSchema = new QueryParameterSubSchema
                    { Name = name, In = location, Required = required, Description = description, Type = type, Format = format, UniqueItems = unique },
                };
                break;
        }
        return new ParametersItem { Parameter = parameter };
    }

    private static Responses ToResponses(JsonElement e)
    {
        var responses = new Responses();
        foreach (var p in e.EnumerateObject())
        {
            if (IsExtension(p.Name)) { responses.VendorExtension.Add(Extension(p)); continue; }
            ResponseValue value;
            if (p.Value.TryGetProperty("$ref", out var reference))
                value = new ResponseValue { JsonReference = new JsonReference { Ref = reference.GetString() ?? "" } };
            else
            {
                var response = new Response { Description = Str(p.Value, "description") };
                if (p.Value.TryGetProperty("schema", out var schema))
                    response.Schema = new SchemaItem { Schema = ToSchema(schema) };
                value = new ResponseValue { Response = response };
            }
            responses.ResponseCode.Add(new NamedResponseValue { Name = p.Name, Value = value });
        }
        return responses;
    }

    /// <summary>Maps every Swagger schema keyword the message has a field for; unknown non-"x-" keywords are dropped.</summary>
    public static Schema ToSchema(JsonElement e)
    {
        var schema = new Schema();
        if (e.ValueKind != JsonValueKind.Object) return schema;
        foreach (var p in e.EnumerateObject())
        {
            var v = p.Value;
            switch (p.Name)
            {
                case "$ref": schema.Ref = v.GetString() ?? ""; break;
                case "format": schema.Format = v.GetString() ?? ""; break;
                case "title": schema.Title = v.GetString() ?? ""; break;
                case "description": schema.Description = v.GetString() ?? ""; break;
                case "default": schema.Default = Yaml(v); break;
                case "example": schema.Example = Yaml(v); break;
                case "multipleOf": schema.MultipleOf = v.GetDouble(); break;
                case "maximum": schema.Maximum = v.GetDouble(); break;
                case "exclusiveMaximum": schema.ExclusiveMaximum = v.ValueKind == JsonValueKind.True; break;
                case "minimum": schema.Minimum = v.GetDouble(); break;
                case "exclusiveMinimum": schema.ExclusiveMinimum = v.ValueKind == JsonValueKind.True; break;
                case "maxLength": schema.MaxLength = v.GetInt64(); break;
                case "minLength": schema.MinLength = v.GetInt64(); break;
                case "pattern": schema.Pattern = v.GetString() ?? ""; break;
                case "maxItems": schema.MaxItems = v.GetInt64(); break;
                case "minItems": schema.MinItems = v.GetInt64(); break;
                case "uniqueItems": schema.UniqueItems = v.ValueKind == JsonValueKind.True; break;
                case "maxProperties": schema.MaxProperties = v.GetInt64(); break;
                case "minProperties": schema.MinProperties = v.GetInt64(); break;
                case "required": schema.Required.AddRange(Strings(v)); break;
                case "enum": foreach (var x in v.EnumerateArray()) schema.Enum.Add(Yaml(x)); break;
                case "additionalProperties":
                    schema.AdditionalProperties = v.ValueKind switch
                    {
                        JsonValueKind.True => new AdditionalPropertiesItem { Boolean = true },
                        JsonValueKind.False => new AdditionalPropertiesItem { Boolean = false },
                        _ => new AdditionalPropertiesItem { Schema = ToSchema(v) },
                    };
                    break;
                case "type":
                    schema.Type = new TypeItem();
                    if (v.ValueKind == JsonValueKind.Array) schema.Type.Value.AddRange(Strings(v));
                    else schema.Type.Value.Add(v.GetString() ?? "");
                    break;
                case "items":
                    schema.Items = new ItemsItem();
                    if (v.ValueKind == JsonValueKind.Array) foreach (var x in v.EnumerateArray()) schema.Items.Schema.Add(ToSchema(x));
                    else schema.Items.Schema.Add(ToSchema(v));
                    break;
                case "allOf": foreach (var x in v.EnumerateArray()) schema.AllOf.Add(ToSchema(x)); break;
                case "properties":
                    schema.Properties = new Properties();
                    foreach (var x in v.EnumerateObject())
                        schema.Properties.AdditionalProperties.Add(new NamedSchema { Name = x.Name, Value = ToSchema(x.Value) });
                    break;
                case "discriminator": schema.Discriminator = v.GetString() ?? ""; break;
                case "readOnly": schema.ReadOnly = v.ValueKind == JsonValueKind.True; break;
                default: if (IsExtension(p.Name)) schema.VendorExtension.Add(Extension(p)); break;
            }
        }
        return schema;
    }

    private static SecurityRequirement ToSecurityRequirement(JsonElement e)
    {
        var requirement = new SecurityRequirement();
        foreach (var p in e.EnumerateObject())
        {
            var scopes = new StringArray();
            scopes.Value.AddRange(Strings(p.Value));
            requirement.AdditionalProperties.Add(new NamedStringArray { Name = p.Name, Value = scopes });
        }
        return requirement;
    }

    private static SecurityDefinitions ToSecurityDefinitions(JsonElement e)
    {
        var definitions = new SecurityDefinitions();
        foreach (var p in e.EnumerateObject())
        {
            // Only apiKey schemes are ever declared here (the bearer token).
            if (Str(p.Value, "type") != "apiKey") continue;
            definitions.AdditionalProperties.Add(new NamedSecurityDefinitionsItem
            {
                Name = p.Name,
                Value = new SecurityDefinitionsItem
                {
                    ApiKeySecurity = new ApiKeySecurity
                    {
                        Type = "apiKey", Name = Str(p.Value, "name"), In = Str(p.Value, "in"), Description = Str(p.Value, "description"),
                    },
                },
            });
        }
        return definitions;
    }

    private static bool IsExtension(string name) => name.StartsWith("x-", StringComparison.Ordinal);

    private static NamedAny Extension(JsonProperty p) => new() { Name = p.Name, Value = Yaml(p.Value) };

    private static Proto.Any Yaml(JsonElement value) => new() { Yaml = value.GetRawText() + "\n" };

    private static string Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() ?? "" : "";

    private static IEnumerable<string> Strings(JsonElement e) =>
        e.ValueKind == JsonValueKind.Array ? e.EnumerateArray().Select(x => x.GetString() ?? "").ToList() : [];
}
