using System.Collections;
using DataWeaver.Serialization.Avro.Generic;

namespace DataWeaver.Cli.Tests.Convert;

/// <summary>Deep equality of generic Avro values, strict about what JSON could lose: float bits, decimal scales, date-time kinds.</summary>
internal static class GenericEquality
{
    public static void AssertEqual(IReadOnlyList<object?> expected, IReadOnlyList<object?> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            if (Difference(expected[i], actual[i], "$") is { } difference)
            {
                Assert.Fail($"record {i}: {difference}");
            }
        }
    }

    private static string DecimalText(object value) => value is decimal d ? d.ToString(System.Globalization.CultureInfo.InvariantCulture) : ((AvroDecimal)value).ToString();

    public static string? Difference(object? expected, object? actual, string path)
    {
        switch (expected, actual)
        {
            case (null, null):
                return null;
            case (GenericRecord e, GenericRecord a):
                if (e.Schema.FullName != a.Schema.FullName)
                {
                    return $"{path}: record {e.Schema.FullName} != {a.Schema.FullName}";
                }

                return e.Schema.Fields.Select(f => Difference(e[f.Position], a[f.Name], path + "." + f.Name)).FirstOrDefault(d => d is not null);
            case (GenericFixed e, GenericFixed a):
                return e.Schema.FullName == a.Schema.FullName && e.Value.AsSpan().SequenceEqual(a.Value) ? null : $"{path}: fixed {e} != {a}";
            case (byte[] e, byte[] a):
                return e.AsSpan().SequenceEqual(a) ? null : $"{path}: bytes {System.Convert.ToHexString(e)} != {System.Convert.ToHexString(a)}";
            case (float e, float a):
                return (float.IsNaN(e) && float.IsNaN(a)) || BitConverter.SingleToInt32Bits(e) == BitConverter.SingleToInt32Bits(a) ? null : $"{path}: float {e:R} != {a:R}";
            case (double e, double a):
                return (double.IsNaN(e) && double.IsNaN(a)) || BitConverter.DoubleToInt64Bits(e) == BitConverter.DoubleToInt64Bits(a) ? null : $"{path}: double {e:R} != {a:R}";
            case (decimal or AvroDecimal, decimal or AvroDecimal):
                var (expectedText, actualText) = (DecimalText(expected), DecimalText(actual)); // a reader gives decimal when it fits, else AvroDecimal
                return expectedText == actualText ? null : $"{path}: decimal {expectedText} != {actualText}";
            case (DateTime e, DateTime a):
                return e.Ticks == a.Ticks && e.Kind == a.Kind ? null : $"{path}: {e:O} ({e.Kind}) != {a:O} ({a.Kind})";
            case (IDictionary<string, object?> e, IDictionary<string, object?> a):
                if (!e.Keys.Order(StringComparer.Ordinal).SequenceEqual(a.Keys.Order(StringComparer.Ordinal)))
                {
                    return $"{path}: map keys {string.Join(",", e.Keys)} != {string.Join(",", a.Keys)}";
                }

                return e.Select(kv => Difference(kv.Value, a[kv.Key], $"{path}[\"{kv.Key}\"]")).FirstOrDefault(d => d is not null);
            case (IList e, IList a):
                if (e.Count != a.Count)
                {
                    return $"{path}: {e.Count} items != {a.Count}";
                }

                return Enumerable.Range(0, e.Count).Select(i => Difference(e[i], a[i], $"{path}[{i}]")).FirstOrDefault(d => d is not null);
            default:
                return expected?.GetType() == actual?.GetType() && Equals(expected, actual) ? null : $"{path}: {expected} ({expected?.GetType().Name}) != {actual} ({actual?.GetType().Name})";
        }
    }
}
