using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Skiff.Api.FieldManagement;

/// <summary>
/// A set of field paths, stored as structured-merge-diff stores it: at each level the path elements that
/// end a path here (members) and the subsets under each element (children), both kept sorted. A path is in
/// the set only if it was inserted; its prefixes are not implied. Serializes to and from FieldsV1 JSON.
/// Not thread-safe while being built; the set operations return new sets and leave their inputs alone.
/// </summary>
public sealed class FieldSet
{
    private readonly List<PathElement> _members = [];
    private readonly List<(PathElement Element, FieldSet Set)> _children = [];

    public static FieldSet Empty() => new();

    internal IReadOnlyList<PathElement> Members => _members;
    internal IReadOnlyList<(PathElement Element, FieldSet Set)> Children => _children;

    public bool IsEmpty => _members.Count == 0 && _children.TrueForAll(c => c.Set.IsEmpty);

    public static FieldSet Of(params FieldPath[] paths)
    {
        var set = new FieldSet();
        foreach (var p in paths) set.Insert(p);
        return set;
    }

    public void Insert(FieldPath path) => Insert(path.Elements);

    /// <summary>Adds a path; the empty path (the whole object) is never a member, as upstream.</summary>
    public void Insert(IReadOnlyList<PathElement> path)
    {
        if (path.Count == 0) return;
        var node = this;
        for (var i = 0; i < path.Count - 1; i++) node = node.Descend(path[i]);
        node.InsertMember(path[^1]);
    }

    public bool Has(FieldPath path) => Has(path.Elements);

    public bool Has(IReadOnlyList<PathElement> path)
    {
        if (path.Count == 0) return false;
        var node = this;
        for (var i = 0; i < path.Count - 1; i++)
        {
            node = node.Child(path[i]);
            if (node is null) return false;
        }
        return node.HasMember(path[^1]);
    }

    internal bool HasMember(PathElement element) => _members.BinarySearch(element) >= 0;

    /// <summary>The subset under one element, without the element (empty when there is none).</summary>
    public FieldSet WithPrefix(PathElement element) => Child(element) ?? new FieldSet();

    internal FieldSet? Child(PathElement element)
    {
        var i = FindChild(element);
        return i >= 0 ? _children[i].Set : null;
    }

    private int FindChild(PathElement element)
    {
        int lo = 0, hi = _children.Count - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) / 2;
            var c = _children[mid].Element.CompareTo(element);
            if (c == 0) return mid;
            if (c < 0) lo = mid + 1; else hi = mid - 1;
        }
        return ~lo;
    }

    internal FieldSet Descend(PathElement element)
    {
        var i = FindChild(element);
        if (i >= 0) return _children[i].Set;
        var set = new FieldSet();
        _children.Insert(~i, (element, set));
        return set;
    }

    internal void InsertMember(PathElement element)
    {
        var i = _members.BinarySearch(element);
        if (i < 0) _members.Insert(~i, element);
    }

    private void AddChildIfNotEmpty(PathElement element, FieldSet set)
    {
        if (!set.IsEmpty) _children.Add((element, set));
    }

    public FieldSet Union(FieldSet other)
    {
        var result = new FieldSet();
        result._members.AddRange(MergeSorted(_members, other._members, keepLeft: true, keepRight: true, keepBoth: true));
        int i = 0, j = 0;
        while (i < _children.Count || j < other._children.Count)
        {
            var c = i == _children.Count ? 1 : j == other._children.Count ? -1 : _children[i].Element.CompareTo(other._children[j].Element);
            if (c < 0) result.AddChildIfNotEmpty(_children[i].Element, _children[i++].Set.Clone());
            else if (c > 0) result.AddChildIfNotEmpty(other._children[j].Element, other._children[j++].Set.Clone());
            else result.AddChildIfNotEmpty(_children[i].Element, _children[i++].Set.Union(other._children[j++].Set));
        }
        return result;
    }

    public FieldSet Intersection(FieldSet other)
    {
        var result = new FieldSet();
        result._members.AddRange(MergeSorted(_members, other._members, keepLeft: false, keepRight: false, keepBoth: true));
        foreach (var (element, set) in _children)
            if (other.Child(element) is { } theirs) result.AddChildIfNotEmpty(element, set.Intersection(theirs));
        return result;
    }

    /// <summary>Paths in this set and not in <paramref name="other"/>; a parent path is not removed by a
    /// child path, nor a child by its parent (see <see cref="RecursiveDifference"/> for that).</summary>
    public FieldSet Difference(FieldSet other)
    {
        var result = new FieldSet();
        result._members.AddRange(MergeSorted(_members, other._members, keepLeft: true, keepRight: false, keepBoth: false));
        foreach (var (element, set) in _children)
            result.AddChildIfNotEmpty(element, other.Child(element) is { } theirs ? set.Difference(theirs) : set.Clone());
        return result;
    }

    /// <summary>Like <see cref="Difference"/>, but a path in <paramref name="other"/> also removes
    /// everything under it.</summary>
    public FieldSet RecursiveDifference(FieldSet other)
    {
        var result = new FieldSet();
        result._members.AddRange(MergeSorted(_members, other._members, keepLeft: true, keepRight: false, keepBoth: false));
        foreach (var (element, set) in _children)
        {
            if (other.HasMember(element)) continue;
            result.AddChildIfNotEmpty(element, other.Child(element) is { } theirs ? set.RecursiveDifference(theirs) : set.Clone());
        }
        return result;
    }

    public FieldSet Clone() => Union(new FieldSet());

    private static IEnumerable<PathElement> MergeSorted(List<PathElement> a, List<PathElement> b, bool keepLeft, bool keepRight, bool keepBoth)
    {
        int i = 0, j = 0;
        while (i < a.Count || j < b.Count)
        {
            var c = i == a.Count ? 1 : j == b.Count ? -1 : a[i].CompareTo(b[j]);
            if (c < 0) { if (keepLeft) yield return a[i]; i++; }
            else if (c > 0) { if (keepRight) yield return b[j]; j++; }
            else { if (keepBoth) yield return a[i]; i++; j++; }
        }
    }

    /// <summary>Every path in the set, members of a level before the levels under it (preorder), in
    /// sorted order: the order upstream lists conflicts in.</summary>
    public IEnumerable<FieldPath> Paths()
    {
        var prefix = new List<PathElement>();
        return Walk(this, prefix);

        static IEnumerable<FieldPath> Walk(FieldSet set, List<PathElement> prefix)
        {
            foreach (var m in set._members) yield return new FieldPath([.. prefix, m]);
            foreach (var (element, child) in set._children)
            {
                prefix.Add(element);
                foreach (var p in Walk(child, prefix)) yield return p;
                prefix.RemoveAt(prefix.Count - 1);
            }
        }
    }

    public bool SetEquals(FieldSet other) => Difference(other).IsEmpty && other.Difference(this).IsEmpty;

    /// <summary>FieldsV1 JSON text, as upstream writes it: elements in sort order, each member with no
    /// children as <c>{}</c>, and a path that is both a member and has children marked with a leading
    /// <c>".":{}</c> inside its object.</summary>
    public string ToFieldsV1Json()
    {
        var sb = new StringBuilder();
        sb.Append('{');
        EmitContents(sb, includeSelf: false);
        sb.Append('}');
        return sb.ToString();
    }

    /// <summary>The FieldsV1 form as a node, to store in <c>metadata.managedFields[].fieldsV1</c>.</summary>
    public JsonObject ToFieldsV1() => JsonNode.Parse(ToFieldsV1Json())!.AsObject();

    private void EmitContents(StringBuilder sb, bool includeSelf)
    {
        var first = true;
        void Separator()
        {
            if (!first) sb.Append(',');
            first = false;
        }
        void Key(PathElement e)
        {
            Separator();
            JsonValues.WriteString(sb, e.Serialize());
            sb.Append(':');
        }

        if (includeSelf && (_members.Count > 0 || _children.Count > 0))
        {
            Separator();
            sb.Append("\".\":{}");
        }
        int mi = 0, ci = 0;
        while (mi < _members.Count || ci < _children.Count)
        {
            var c = mi == _members.Count ? 1 : ci == _children.Count ? -1 : _members[mi].CompareTo(_children[ci].Element);
            if (c < 0)
            {
                Key(_members[mi++]);
                sb.Append("{}");
                continue;
            }
            Key(_children[ci].Element);
            sb.Append('{');
            _children[ci].Set.EmitContents(sb, includeSelf: c == 0);
            sb.Append('}');
            ci++;
            if (c == 0) mi++;
        }
    }

    /// <summary>Reads FieldsV1 JSON. Keys with an unknown prefix are dropped, as upstream does.</summary>
    /// <exception cref="FormatException">The JSON is not a FieldsV1 object.</exception>
    public static FieldSet ParseFieldsV1(string json)
    {
        JsonNode? node;
        try { node = JsonNode.Parse(json); }
        catch (JsonException e) { throw new FormatException(e.Message, e); }
        return FromFieldsV1(node);
    }

    /// <inheritdoc cref="ParseFieldsV1"/>
    public static FieldSet FromFieldsV1(JsonNode? node)
    {
        if (node is null) return new FieldSet();
        if (node is not JsonObject obj) throw new FormatException("FieldsV1 must be a JSON object");
        return Read(obj, out _);
    }

    private static FieldSet Read(JsonObject obj, out bool isMember)
    {
        isMember = false;
        var set = new FieldSet();
        var anyChild = false;
        foreach (var (key, value) in obj)
        {
            if (key == ".")
            {
                isMember = true;
                continue;
            }
            if (!PathElement.TryParse(key, out var element)) continue;
            anyChild = true;
            if (value is not JsonObject inner) throw new FormatException($"FieldsV1 value for {key} must be an object");
            var grandchildren = Read(inner, out var childIsMember);
            if (childIsMember) set.InsertMember(element);
            if (!grandchildren.IsEmpty)
            {
                var at = set.FindChild(element);
                if (at >= 0) set._children[at] = (element, set._children[at].Set.Union(grandchildren));
                else set._children.Insert(~at, (element, grandchildren));
            }
        }
        if (!anyChild) isMember = true;
        return set;
    }

    public override string ToString() => string.Join("\n", Paths());
}
