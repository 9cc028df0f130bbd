using System.Buffers;
using System.Text;
using System.Text.Json;
using Skiff.Api.Schema;

namespace Skiff.Api.Validation.FieldValidation;

/// <summary>
/// Finds what upstream's strict JSON decoder (sigs.k8s.io/json, used by the API server for
/// <c>fieldValidation=Strict|Warn</c>) reports for a request body of a built-in kind: fields the schema does not
/// declare (<c>unknown field "spec.template.spec.containers[0].imagee"</c>) and keys repeated in one JSON object
/// (<c>duplicate field "metadata.labels.app"</c>). It reads the raw UTF-8 with <see cref="Utf8JsonReader"/>,
/// because a parsed JsonNode has already lost the duplicates, and walks the schema tables alongside.
/// </summary>
/// <remarks>
/// Upstream's rules, followed here:
/// <list type="bullet">
/// <item>Names match exactly (case-sensitive); a known field set to null is fine; an unknown one is reported even when null.</item>
/// <item>Map keys (labels, annotations, data, resource lists) are never unknown; repeated map keys are duplicates.</item>
/// <item>A repeated unknown field is reported once as unknown, not as a duplicate; identical messages are reported
/// once; at most <see cref="MaxFindings"/> are kept.</item>
/// <item>Values the Go types decode themselves are not looked into: RawExtension, FieldsV1, apiextensions JSON and
/// JSONSchemaPropsOr*, and string-typed definitions (Quantity, Time, IntOrString).</item>
/// <item><c>apiVersion</c> and <c>kind</c> are known at the top of every body; deeper down only what the schema declares
/// is known, as with upstream's Go structs (a <c>kind</c> inside <c>spec.template</c> is unknown).</item>
/// <item>A value of the wrong JSON type (an object where a string belongs) is not looked into: upstream fails that body
/// with a type error, which is the decoder's business, not this checker's.</item>
/// </list>
/// Stateless and thread-safe; each call allocates only its own small buffers and the messages it returns.
/// Malformed JSON stops the walk and returns what was found so far (the body parser reports the syntax error).
/// </remarks>
public static class UnknownFieldChecker
{
    /// <summary>Upstream stops collecting strict errors after this many.</summary>
    public const int MaxFindings = 100;

    private static readonly IReadOnlyList<string> None = [];

    /// <summary>The findings for a body of the kind <paramref name="schema"/> describes, in document order.</summary>
    public static IReadOnlyList<string> Find(ReadOnlySpan<byte> utf8Json, DefinitionSchema schema)
    {
        var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        var walk = new Walk();
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return None;
            walk.Object(ref reader, Shape.StructOf(schema), root: true);
        }
        catch (JsonException)
        {
            // Malformed body: keep what was found; the parser that runs on the same bytes reports the syntax error.
        }
        finally
        {
            walk.Dispose();
        }
        return walk.Findings ?? None;
    }

    /// <summary>The findings for a body of the named definition (e.g. "io.k8s.api.apps.v1.Deployment");
    /// none when the definition is not known.</summary>
    public static IReadOnlyList<string> Find(ReadOnlySpan<byte> utf8Json, string definitionName) =>
        SchemaExtensions.Find(definitionName) is { } schema ? Find(utf8Json, schema) : None;

    /// <summary>One walk's mutable state: the current field path, the keys seen in the open objects, the findings.</summary>
    private sealed class Walk : IDisposable
    {
        // Objects with more keys than this switch from a linear scan to a hash set for duplicate detection.
        private const int LinearKeyLimit = 32;

        private char[] _path = ArrayPool<char>.Shared.Rent(256);
        private int _pathLength;

        // Keys of the open objects, innermost last: UTF-8 bytes (unescaped) and (hash, offset, length) entries.
        private byte[] _keyBytes = ArrayPool<byte>.Shared.Rent(1024);
        private int _keyBytesLength;
        private KeyEntry[] _keys = ArrayPool<KeyEntry>.Shared.Rent(64);
        private int _keyCount;

        private HashSet<string>? _reported;
        private bool _full;
        public List<string>? Findings;

        private readonly record struct KeyEntry(int Hash, int Offset, int Length);

        public void Object(ref Utf8JsonReader r, Shape shape, bool root)
        {
            var keysBase = _keyCount;
            var bytesBase = _keyBytesLength;
            HashSet<string>? manyKeys = null;
            var pathBase = _pathLength;
            var info = shape.Kind == ShapeKind.Struct ? StructInfo.For(shape.Definition!) : null;
            var elementShape = shape.Kind == ShapeKind.Map ? (shape.Element is { } element ? Shape.Of(element) : Shape.Opaque) : Shape.Untyped;
            ulong seenFields = 0; // struct fields 0..63 already present; later ones go through RememberKey

            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                var name = AppendKeyToPath(ref r, pathBase);
                Shape valueShape;
                var checkDuplicate = true;
                if (info is null)
                {
                    valueShape = elementShape;
                }
                else if (info.Index.TryGetValue(name, out var field))
                {
                    valueShape = info.Shapes[field];
                    if (field < 64)
                    {
                        checkDuplicate = false;
                        var bit = 1UL << field;
                        if ((seenFields & bit) != 0) Report("duplicate field ");
                        seenFields |= bit;
                    }
                }
                else if (root && (name.SequenceEqual("apiVersion") || name.SequenceEqual("kind")))
                {
                    valueShape = Shape.Opaque;
                }
                else
                {
                    Report("unknown field ");
                    valueShape = Shape.Opaque;
                    checkDuplicate = false;
                }

                if (checkDuplicate && !RememberKey(ref r, keysBase, bytesBase, ref manyKeys))
                    Report("duplicate field ");

                if (_full || !r.Read()) break;
                Value(ref r, valueShape);
                _pathLength = pathBase;
                if (_full) break;
            }

            _pathLength = pathBase;
            _keyCount = keysBase;
            _keyBytesLength = bytesBase;
        }

        private void Value(ref Utf8JsonReader r, Shape shape)
        {
            switch (r.TokenType)
            {
                case JsonTokenType.StartObject when shape.Kind is ShapeKind.Struct or ShapeKind.Map or ShapeKind.Untyped:
                    Object(ref r, shape, root: false);
                    break;
                case JsonTokenType.StartArray when shape.Kind is ShapeKind.Untyped:
                    Array(ref r, Shape.Untyped);
                    break;
                case JsonTokenType.StartArray when shape.Kind is ShapeKind.Array:
                    Array(ref r, shape.Element is { } items ? Shape.Of(items) : Shape.Opaque);
                    break;
                case JsonTokenType.StartObject or JsonTokenType.StartArray:
                    r.Skip();
                    break;
            }
        }

        private void Array(ref Utf8JsonReader r, Shape items)
        {
            var pathBase = _pathLength;
            var index = 0;
            while (r.Read() && r.TokenType != JsonTokenType.EndArray)
            {
                if (items.Kind == ShapeKind.Opaque)
                {
                    r.Skip();
                    continue;
                }
                AppendIndexToPath(index++);
                Value(ref r, items);
                _pathLength = pathBase;
                if (_full) return;
            }
        }

        /// <summary>Appends ".key" (or "key" at the top) to the path and returns the key's characters.</summary>
        private ReadOnlySpan<char> AppendKeyToPath(ref Utf8JsonReader r, int pathBase)
        {
            var dot = pathBase > 0 ? 1 : 0;
            EnsurePath(pathBase + dot + r.ValueSpan.Length);
            if (dot == 1) _path[pathBase] = '.';
            var start = pathBase + dot;
            var n = r.CopyString(_path.AsSpan(start));
            _pathLength = start + n;
            return _path.AsSpan(start, n);
        }

        private void AppendIndexToPath(int index)
        {
            EnsurePath(_pathLength + 12);
            _path[_pathLength++] = '[';
            index.TryFormat(_path.AsSpan(_pathLength), out var written);
            _pathLength += written;
            _path[_pathLength++] = ']';
        }

        private void EnsurePath(int length)
        {
            if (length <= _path.Length) return;
            var bigger = ArrayPool<char>.Shared.Rent(Math.Max(length, _path.Length * 2));
            _path.AsSpan(0, _pathLength).CopyTo(bigger);
            ArrayPool<char>.Shared.Return(_path);
            _path = bigger;
        }

        /// <summary>Records the current property name among the keys of the object that started at
        /// <paramref name="keysBase"/>; false when it was already there.</summary>
        private bool RememberKey(ref Utf8JsonReader r, int keysBase, int bytesBase, ref HashSet<string>? manyKeys)
        {
            if (manyKeys is not null) return manyKeys.Add(r.GetString()!);

            var max = r.ValueSpan.Length;
            EnsureKeyBytes(_keyBytesLength + max);
            int length;
            if (r.ValueIsEscaped) length = r.CopyString(_keyBytes.AsSpan(_keyBytesLength));
            else
            {
                r.ValueSpan.CopyTo(_keyBytes.AsSpan(_keyBytesLength));
                length = max;
            }
            var key = _keyBytes.AsSpan(_keyBytesLength, length);
            var hash = Hash(key);
            for (var i = keysBase; i < _keyCount; i++)
            {
                var e = _keys[i];
                if (e.Hash == hash && _keyBytes.AsSpan(e.Offset, e.Length).SequenceEqual(key)) return false;
            }

            if (_keyCount - keysBase >= LinearKeyLimit)
            {
                // A big map: move this object's keys to a set so the check stays linear overall.
                manyKeys = new HashSet<string>(StringComparer.Ordinal);
                for (var i = keysBase; i < _keyCount; i++)
                    manyKeys.Add(Encoding.UTF8.GetString(_keyBytes, _keys[i].Offset, _keys[i].Length));
                manyKeys.Add(Encoding.UTF8.GetString(key));
                _keyCount = keysBase;
                _keyBytesLength = bytesBase;
                return true;
            }

            if (_keyCount == _keys.Length)
            {
                var bigger = ArrayPool<KeyEntry>.Shared.Rent(_keys.Length * 2);
                _keys.AsSpan(0, _keyCount).CopyTo(bigger);
                ArrayPool<KeyEntry>.Shared.Return(_keys);
                _keys = bigger;
            }
            _keys[_keyCount++] = new KeyEntry(hash, _keyBytesLength, length);
            _keyBytesLength += length;
            return true;
        }

        private void EnsureKeyBytes(int length)
        {
            if (length <= _keyBytes.Length) return;
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(length, _keyBytes.Length * 2));
            _keyBytes.AsSpan(0, _keyBytesLength).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_keyBytes);
            _keyBytes = bigger;
        }

        private static int Hash(ReadOnlySpan<byte> key)
        {
            var h = 2166136261u;
            foreach (var b in key) h = (h ^ b) * 16777619u;
            return (int)h;
        }

        /// <summary>Adds "<paramref name="what"/>"path"" for the current path, deduplicated and capped as upstream.</summary>
        private void Report(string what)
        {
            var sb = new StringBuilder(what.Length + _pathLength + 2);
            sb.Append(what);
            GoQuote.Append(sb, new string(_path, 0, _pathLength));
            var message = sb.ToString();
            _reported ??= new HashSet<string>(StringComparer.Ordinal);
            if (!_reported.Add(message)) return;
            (Findings ??= []).Add(message);
            _full = Findings.Count >= MaxFindings;
        }

        public void Dispose()
        {
            ArrayPool<char>.Shared.Return(_path);
            ArrayPool<byte>.Shared.Return(_keyBytes);
            ArrayPool<KeyEntry>.Shared.Return(_keys);
        }
    }
}
