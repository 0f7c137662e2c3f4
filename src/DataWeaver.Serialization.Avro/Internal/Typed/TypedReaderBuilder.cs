using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.CompilerServices;
using DataWeaver.Serialization.Avro.Generic;
using DataWeaver.Serialization.Avro.Internal.Reading;
using DataWeaver.Serialization.Avro.Schema;

namespace DataWeaver.Serialization.Avro.Internal.Typed;

/// <summary>
/// Builds the typed reader of a (writer schema, reader schema, C# type) triple, following the same resolution
/// rules as <see cref="ReadPlanBuilder"/> (promotions, defaults, skipped writer fields, enum defaults, unions on
/// either side, aliases) and the same mapping rules as <see cref="TypedConverters"/> (properties and constructor
/// parameters matched by name, case-insensitive). Pairs it does not cover fall back to the generic plan and
/// converter, so every type the generic mapping reads is still read, with the same values.
/// </summary>
internal sealed class TypedReaderBuilder
{
    private readonly Dictionary<(AvroSchema, AvroSchema, Type), object> _records = [];

    /// <summary>Gets the cached typed reader of a pair, building it once.</summary>
    /// <exception cref="AvroSchemaException">The schemas cannot be resolved, or <typeparamref name="T"/> cannot be mapped to the reader schema.</exception>
    public static TypedReader<T> Get<T>(AvroSchema writer, AvroSchema reader)
    {
        var perWriter = Cache<T>.Readers.GetValue(writer, static _ => new ConcurrentDictionary<AvroSchema, TypedReader<T>>(ReferenceEqualityComparer.Instance));
        if (perWriter.TryGetValue(reader, out var cached))
        {
            return cached;
        }

        // The generic plan and mapping validate the pair and raise the same errors as the generic path.
        ReadPlanBuilder.Get(writer, reader);
        TypedConverters.Get(typeof(T), reader);
        var built = (TypedReader<T>)new TypedReaderBuilder().Build(writer, reader, typeof(T), "$");
        return perWriter.GetOrAdd(reader, built);
    }

    private object Build(AvroSchema w, AvroSchema r, Type type, string path)
    {
        if (type == typeof(object) || type == typeof(GenericRecord))
        {
            return Fallback(w, r, type);
        }

        if (w is UnionSchema wu)
        {
            var branches = Array.CreateInstance(typeof(TypedReader<>).MakeGenericType(type), wu.Branches.Count);
            var errors = new string?[wu.Branches.Count];
            for (var i = 0; i < branches.Length; i++)
            {
                try
                {
                    branches.SetValue(Build(wu.Branches[i], r, type, path), i);
                }
                catch (AvroSchemaException ex)
                {
                    errors[i] = $"writer union branch {i} ('{wu.Branches[i].DisplayName}') cannot be read as '{r.DisplayName}': {ex.Problem}";
                }
            }

            return Create(typeof(UnionReader<>), [type], branches, errors);
        }

        if (r is UnionSchema ru)
        {
            var branch = ru.Branches.FirstOrDefault(b => ReadPlanBuilder.SameKind(w, b)) ?? ru.Branches.FirstOrDefault(b => ReadPlanBuilder.Promotes(w.Type, b.Type))
                ?? throw new AvroSchemaException(path, $"writer type '{w.DisplayName}' matches no branch of the reader union [{string.Join(", ", ru.Branches.Select(b => b.DisplayName))}]");
            return Build(w, branch, type, path);
        }

        if (w.Type == AvroType.Null && r.Type == AvroType.Null)
        {
            return Create(typeof(NullReader<>), [type]);
        }

        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return Create(typeof(NullableReader<>), [underlying], Build(w, r, underlying, path));
        }

        if (r.LogicalType != AvroLogicalType.None)
        {
            return Fallback(w, r, type);
        }

        switch (w.Type, r.Type)
        {
            case (AvroType.Boolean, AvroType.Boolean) when type == typeof(bool):
                return new BooleanReader();
            case (AvroType.Int, AvroType.Int) when type == typeof(int):
                return new IntReader();
            case (AvroType.Int or AvroType.Long, AvroType.Long) when type == typeof(long):
                return new LongReader(w.Type == AvroType.Int);
            case (AvroType.Int or AvroType.Long or AvroType.Float, AvroType.Float) when type == typeof(float):
                return new FloatReader(w.Type);
            case (AvroType.Int or AvroType.Long or AvroType.Float or AvroType.Double, AvroType.Double) when type == typeof(double):
                return new DoubleReader(w.Type);
            case (AvroType.String or AvroType.Bytes, AvroType.String) when type == typeof(string):
                return new StringReader();
            case (AvroType.String or AvroType.Bytes, AvroType.Bytes) when type == typeof(byte[]):
                return new BytesReader();
            case (AvroType.Enum, AvroType.Enum) when type.IsEnum || type == typeof(string):
                return EnumReader((EnumSchema)w, (EnumSchema)r, type, path);
            case (AvroType.Array, AvroType.Array):
                return ArrayReader((ArraySchema)w, (ArraySchema)r, type, path) ?? Fallback(w, r, type);
            case (AvroType.Map, AvroType.Map):
                return MapReader((MapSchema)w, (MapSchema)r, type, path) ?? Fallback(w, r, type);
            case (AvroType.Record, AvroType.Record) when IsPlainClass(type):
                return RecordReader((RecordSchema)w, (RecordSchema)r, type, path);
            default:
                return Fallback(w, r, type);
        }
    }

    private static object Fallback(AvroSchema w, AvroSchema r, Type type) =>
        Create(typeof(FallbackReader<>), [type], ReadPlanBuilder.Get(w, r), TypedConverters.Get(type, r));

    private static object Create(Type open, Type[] arguments, params object?[] constructorArguments) =>
        Activator.CreateInstance(open.MakeGenericType(arguments), constructorArguments)!;

    private static bool IsPlainClass(Type type) =>
        type.IsClass && !type.IsAbstract && type != typeof(string) && !type.IsArray && !typeof(System.Collections.IEnumerable).IsAssignableFrom(type) && !type.ContainsGenericParameters;

    private static object EnumReader(EnumSchema w, EnumSchema r, Type type, string path)
    {
        if (!ReadPlanBuilder.NamesMatch(w, r))
        {
            throw new AvroSchemaException(path, $"writer enum '{w.FullName}' does not match reader enum '{r.FullName}'");
        }

        var byName = type.IsEnum
            ? Enum.GetValues(type).Cast<object>().GroupBy(e => e.ToString()!, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => (object?)g.First(), StringComparer.OrdinalIgnoreCase)
            : null;
        var values = Array.CreateInstance(type, w.Symbols.Count);
        var errors = new string?[w.Symbols.Count];
        for (var i = 0; i < w.Symbols.Count; i++)
        {
            var symbol = r.IndexOf(w.Symbols[i]) >= 0 ? w.Symbols[i] : r.Default;
            if (symbol is null)
            {
                errors[i] = $"writer symbol '{w.Symbols[i]}' is not in reader enum '{r.FullName}', which has no default";
            }
            else if (byName is null)
            {
                values.SetValue(symbol, i);
            }
            else if (byName.TryGetValue(symbol, out var value))
            {
                values.SetValue(value, i);
            }
            else
            {
                errors[i] = $"the value cannot be mapped to {type.Name}: symbol '{symbol}' is not a member of {type.Name}";
            }
        }

        return Create(typeof(EnumReader<>), [type], w.Symbols.Count, values, errors);
    }

    private object? ArrayReader(ArraySchema w, ArraySchema r, Type type, string path)
    {
        Type? element = null;
        if (type.IsArray && type.GetArrayRank() == 1)
        {
            element = type.GetElementType();
        }
        else if (type.IsGenericType && type.GetGenericArguments() is [var e] && type.IsAssignableFrom(typeof(List<>).MakeGenericType(e)))
        {
            element = e;
        }

        if (element is null)
        {
            return null;
        }

        var list = Create(typeof(ListReader<>), [element], Build(w.Items, r.Items, element, path + ".items"), MinSize.Of(w.Items));
        var listType = typeof(List<>).MakeGenericType(element);
        return type.IsArray ? Create(typeof(ArrayReader<>), [element], list)
            : type == listType ? list
            : Create(typeof(UpcastReader<,>), [listType, type], list);
    }

    private object? MapReader(MapSchema w, MapSchema r, Type type, string path)
    {
        if (!type.IsGenericType || type.GetGenericArguments() is not [var key, var value] || key != typeof(string))
        {
            return null;
        }

        var dictionaryType = typeof(Dictionary<,>).MakeGenericType(key, value);
        if (!type.IsAssignableFrom(dictionaryType))
        {
            return null;
        }

        var map = Create(typeof(DictionaryReader<>), [value], Build(w.Values, r.Values, value, path + ".values"));
        return type == dictionaryType ? map : Create(typeof(UpcastReader<,>), [dictionaryType, type], map);
    }

    private object RecordReader(RecordSchema w, RecordSchema r, Type type, string path)
    {
        if (_records.TryGetValue((w, r, type), out var existing))
        {
            return existing;
        }

        if (!ReadPlanBuilder.NamesMatch(w, r))
        {
            throw new AvroSchemaException(path, $"writer record '{w.FullName}' does not match reader record '{r.FullName}' (neither the name nor an alias)");
        }

        // Validates the type against the reader record exactly as the generic mapping does.
        TypedConverters.Get(type, r);
        var reader = Create(typeof(RecordReader<>), [type]);
        _records[(w, r, type)] = reader;

        var members = RecordMembers.Find(type, r);
        var matched = new bool[r.Fields.Count];
        var steps = new List<RecordReaderEmitter.Step>();
        foreach (var wf in w.Fields)
        {
            var rf = r.Fields.FirstOrDefault(f => f.Name == wf.Name) ?? r.Fields.FirstOrDefault(f => f.Aliases.Contains(wf.Name));
            if (rf is not null && !matched[rf.Position])
            {
                matched[rf.Position] = true;
                if (members.ByField[rf.Position] is { } member)
                {
                    steps.Add(new(member, Build(wf.Schema, rf.Schema, member.Type, $"{path}.fields[{rf.Position}]")));
                    continue;
                }
            }

            steps.Add(new(null, ReadPlanBuilder.Get(wf.Schema, wf.Schema)));
        }

        foreach (var rf in r.Fields)
        {
            if (!matched[rf.Position] && members.ByField[rf.Position] is { } member)
            {
                var field = rf;
                steps.Add(new(member, Create(typeof(DefaultReader<>), [member.Type], (Func<object?>)field.GetDefaultValue, TypedConverters.Get(member.Type, field.Schema))));
            }
        }

        foreach (var parameter in members.UnfedParameters)
        {
            var constant = parameter.Parameter!.DefaultValue;
            steps.Add(new(parameter, Create(typeof(DefaultReader<>), [parameter.Type], (Func<object?>)(() => constant), (Func<object?, object?>)(static v => v))));
        }

        var readFields = RecordReaderEmitter.Emit(type, members, steps);
        reader.GetType().GetProperty(nameof(RecordReader<object>.ReadFields))!.SetValue(reader, readFields);
        return reader;
    }

    private static class Cache<T>
    {
        /// <summary>Keyed weakly on the writer schema, so that readers built for a container file's schema die with it.</summary>
        public static readonly ConditionalWeakTable<AvroSchema, ConcurrentDictionary<AvroSchema, TypedReader<T>>> Readers = [];
    }
}

/// <summary>Where each reader field goes in a C# type: a constructor parameter or a settable property, as <see cref="TypedConverters"/> maps them.</summary>
internal sealed class RecordMembers
{
    public required ConstructorInfo Constructor { get; init; }

    /// <summary>Gets, per reader field position, the member it feeds, or <see langword="null"/>.</summary>
    public required RecordMember?[] ByField { get; init; }

    /// <summary>Gets the constructor parameters no field feeds (they take their default value).</summary>
    public required RecordMember[] UnfedParameters { get; init; }

    /// <summary>Gets every constructor parameter, in order.</summary>
    public required RecordMember[] Parameters { get; init; }

    public static RecordMembers Find(Type type, RecordSchema schema)
    {
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0).ToArray();
        var fieldsByName = schema.Fields.ToDictionary(f => f.Name, StringComparer.OrdinalIgnoreCase);
        var ctor = type.GetConstructors()
            .OrderByDescending(c => c.GetParameters().Length)
            .First(c => c.GetParameters().All(p => (p.Name is not null && fieldsByName.ContainsKey(p.Name)) || p.HasDefaultValue));
        var parameters = ctor.GetParameters().Select((p, i) => new RecordMember(p.ParameterType, i, p, null)).ToArray();
        var byField = new RecordMember?[schema.Fields.Count];
        var unfed = new List<RecordMember>();
        foreach (var parameter in parameters)
        {
            if (parameter.Parameter!.Name is { } name && fieldsByName.TryGetValue(name, out var field))
            {
                byField[field.Position] = parameter;
            }
            else
            {
                unfed.Add(parameter);
            }
        }

        var bound = new HashSet<string>(parameters.Select(p => p.Parameter!.Name!), StringComparer.OrdinalIgnoreCase);
        foreach (var field in schema.Fields)
        {
            var property = TypedAccessors.Find(properties, field);
            if (property is null || !property.CanWrite || bound.Contains(property.Name) || byField[field.Position] is not null)
            {
                continue;
            }

            byField[field.Position] = new RecordMember(property.PropertyType, -1, null, property);
        }

        return new RecordMembers { Constructor = ctor, ByField = byField, UnfedParameters = [.. unfed], Parameters = parameters };
    }
}

/// <summary>A constructor parameter (<see cref="Parameter"/>, at <see cref="Index"/>) or a settable property.</summary>
internal sealed record RecordMember(Type Type, int Index, ParameterInfo? Parameter, PropertyInfo? Property);
