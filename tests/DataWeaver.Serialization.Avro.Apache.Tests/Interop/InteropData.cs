using System.Collections;
using System.Numerics;
using Avro.Generic;
using Avro.IO;
using Avro.Specific;
using DataWeaver.Interop.Generated;
using DataWeaver.Serialization.Avro.Apache.Schemas;
using DataWeaver.Serialization.Avro.Schema;
using ApacheRecord = Avro.Generic.GenericRecord;

namespace DataWeaver.Serialization.Avro.Apache.Tests.Interop;

/// <summary>Sample records covering every type and logical type, Apache.Avro's own encoders, and deep value equality.</summary>
internal static class InteropData
{
    public static global::Avro.Schema ApacheSchema { get; } = Everything._SCHEMA;

    public static AvroSchema OurSchema { get; } = ApacheSchemas.FromApache(Everything._SCHEMA);

    public static TheoryData<int> SampleIndexes => [0, 1, 2, 3, 4];

    public static Everything Sample(int index)
    {
        var inner = new Inner { id = 7, label = index % 2 == 0 ? "seven" : null };
        return new Everything
        {
            nothing = null,
            flag = index % 2 == 0,
            count = index switch { 0 => 0, 1 => int.MaxValue, 2 => int.MinValue, 3 => -1, _ => 63 },
            total = index switch { 0 => 0L, 1 => long.MaxValue, 2 => long.MinValue, 3 => -64, _ => 1L << 40 },
            ratio = index switch { 0 => 0f, 1 => float.MaxValue, 2 => float.NegativeInfinity, 3 => -1.5f, _ => float.Epsilon },
            precise = index switch { 0 => 0d, 1 => double.MaxValue, 2 => double.NaN, 3 => -2.25, _ => Math.PI },
            blob = index == 0 ? [] : [0, 1, 2, 255, (byte)index],
            name = index switch { 0 => string.Empty, 1 => "plain", 2 => "ünïcödé ✓ 𝄞", 3 => new string('x', 300), _ => "tab\tnew\nline" },
            color = (Color)(index % 3),
            hash = new Hash4 { Value = [1, 2, 3, (byte)index] },
            tags = index == 0 ? [] : [.. Enumerable.Range(0, index * 3).Select(i => "t" + i)],
            scores = index == 0 ? new Dictionary<string, long>() : Enumerable.Range(0, index).ToDictionary(i => "k" + i, i => (long)i * -1000),
            nested = inner,
            children = index == 0 ? [] : [inner, new Inner { id = -index, label = "child" }],
            maybeInner = index % 2 == 0 ? null : inner,
            choice = index switch { 0 => null, 1 => 42, 2 => "text", 3 => new Inner { id = 3, label = "in union" }, _ => Color.BLUE },
            optionalCount = index % 2 == 0 ? null : index,
            amount = index switch { 0 => new global::Avro.AvroDecimal(BigInteger.Zero, 2), 1 => new global::Avro.AvroDecimal(new BigInteger(999_999_999_999L), 2), 2 => new global::Avro.AvroDecimal(new BigInteger(-12_345L), 2), 3 => new global::Avro.AvroDecimal(BigInteger.MinusOne, 2), _ => new global::Avro.AvroDecimal(new BigInteger(128), 2) },
            id = index == 0 ? Guid.Empty : new Guid($"0000000{index}-89ab-4def-8123-456789abcdef"),
            day = index switch { 0 => DateTime.UnixEpoch, 1 => new DateTime(2026, 12, 7, 0, 0, 0, DateTimeKind.Utc), 2 => new DateTime(1901, 3, 4, 0, 0, 0, DateTimeKind.Utc), 3 => new DateTime(9999, 12, 31, 0, 0, 0, DateTimeKind.Utc), _ => new DateTime(1969, 12, 31, 0, 0, 0, DateTimeKind.Utc) },
            timeMs = index == 0 ? TimeSpan.Zero : new TimeSpan(0, 23, 59, 59, 999),
            timeUs = index == 0 ? TimeSpan.Zero : TimeSpan.FromTicks((TimeSpan.TicksPerDay - 10) / 10 * 10),
            tsMs = index switch { 0 => DateTime.UnixEpoch, 1 => new DateTime(2026, 12, 7, 3, 4, 5, 678, DateTimeKind.Utc), 2 => new DateTime(1950, 1, 2, 3, 4, 5, 6, DateTimeKind.Utc), _ => new DateTime(2100, 6, 1, 0, 0, 0, 1, DateTimeKind.Utc) },
            tsUs = index switch { 0 => DateTime.UnixEpoch, 1 => new DateTime(2026, 12, 7, 3, 4, 5, 678, DateTimeKind.Utc).AddTicks(9990), 2 => new DateTime(1950, 1, 2, 3, 4, 5, 6, DateTimeKind.Utc).AddTicks(10), _ => new DateTime(2100, 6, 1, 0, 0, 0, DateTimeKind.Utc).AddTicks(120) },
            localTsMs = index == 0 ? new DateTime(1970, 1, 1) : new DateTime(2026, 12, 7, 3, 4, 5, 678),
            localTsUs = index == 0 ? new DateTime(1970, 1, 1) : new DateTime(2026, 12, 7, 3, 4, 5, 678).AddTicks(1230),
        };
    }

    /// <summary>Apache.Avro's specific writer.</summary>
    public static byte[] ApacheWriteSpecific<T>(T value, global::Avro.Schema schema)
    {
        using var stream = new MemoryStream();
        new SpecificDatumWriter<T>(schema).Write(value, new BinaryEncoder(stream));
        return stream.ToArray();
    }

    /// <summary>Apache.Avro's specific reader.</summary>
    public static T ApacheReadSpecific<T>(byte[] bytes, global::Avro.Schema writer, global::Avro.Schema? reader = null)
    {
        using var stream = new MemoryStream(bytes);
        var result = new SpecificDatumReader<T>(writer, reader ?? writer).Read(default!, new BinaryDecoder(stream));
        Assert.Equal(bytes.Length, stream.Position);
        return result;
    }

    /// <summary>Apache.Avro's generic writer.</summary>
    public static byte[] ApacheWriteGeneric(object value, global::Avro.Schema schema)
    {
        using var stream = new MemoryStream();
        new GenericDatumWriter<object>(schema).Write(value, new BinaryEncoder(stream));
        return stream.ToArray();
    }

    /// <summary>Apache.Avro's generic reader.</summary>
    public static ApacheRecord ApacheReadGeneric(byte[] bytes, global::Avro.Schema schema)
    {
        using var stream = new MemoryStream(bytes);
        var result = new GenericDatumReader<ApacheRecord>(schema, schema).Read(null!, new BinaryDecoder(stream));
        Assert.Equal(bytes.Length, stream.Position);
        return result;
    }

    /// <summary>Asserts two Apache values (generic or specific) are equal, naming the path of the first difference.</summary>
    public static void AssertDeepEqual(object? expected, object? actual, string path = "$")
    {
        switch (expected)
        {
            case null:
                Assert.True(actual is null, $"{path}: expected null, got {actual}");
                return;
            case ISpecificRecord e:
                var a = Assert.IsAssignableFrom<ISpecificRecord>(actual);
                var fields = ((global::Avro.RecordSchema)e.Schema).Fields;
                foreach (var f in fields)
                {
                    AssertDeepEqual(e.Get(f.Pos), a.Get(f.Pos), path + "." + f.Name);
                }

                return;
            case ApacheRecord e:
                var ga = Assert.IsType<ApacheRecord>(actual);
                Assert.Equal(e.Schema.Fullname, ga.Schema.Fullname);
                foreach (var f in e.Schema.Fields)
                {
                    AssertDeepEqual(e.GetValue(f.Pos), ga.GetValue(f.Pos), path + "." + f.Name);
                }

                return;
            case GenericFixed e:
                var fa = Assert.IsAssignableFrom<GenericFixed>(actual);
                Assert.Equal(e.GetType(), fa.GetType());
                Assert.True(e.Value.AsSpan().SequenceEqual(fa.Value), path);
                return;
            case GenericEnum e:
                Assert.Equal(e.Value, Assert.IsType<GenericEnum>(actual).Value);
                return;
            case byte[] e:
                Assert.True(e.AsSpan().SequenceEqual(Assert.IsType<byte[]>(actual)), path);
                return;
            case IDictionary e:
                var da = Assert.IsAssignableFrom<IDictionary>(actual);
                Assert.Equal(e.Count, da.Count);
                foreach (DictionaryEntry entry in e)
                {
                    Assert.True(da.Contains(entry.Key), $"{path}: missing key {entry.Key}");
                    AssertDeepEqual(entry.Value, da[entry.Key], path + "{" + entry.Key + "}");
                }

                return;
            case IList e:
                var la = Assert.IsAssignableFrom<IList>(actual);
                Assert.Equal(e.GetType(), la.GetType());
                Assert.Equal(e.Count, la.Count);
                for (var i = 0; i < e.Count; i++)
                {
                    AssertDeepEqual(e[i], la[i], path + "[" + i + "]");
                }

                return;
            case Enum e when actual is int ordinal:
                // Apache.Avro's specific reader returns an enum inside an object-typed union as its ordinal.
                Assert.Equal(Convert.ToInt32(e, System.Globalization.CultureInfo.InvariantCulture), ordinal);
                return;
            case int ordinal when actual is Enum e:
                Assert.Equal(ordinal, Convert.ToInt32(e, System.Globalization.CultureInfo.InvariantCulture));
                return;
            case double d when double.IsNaN(d):
                Assert.True(actual is double x && double.IsNaN(x), path);
                return;
            default:
                Assert.NotNull(actual);
                Assert.Equal(expected.GetType(), actual.GetType());
                Assert.True(expected.Equals(actual), $"{path}: expected {expected}, got {actual}");
                return;
        }
    }
}
