using System.Runtime.InteropServices;
using DataWeaver.Pipelines;

namespace DataWeaver.Perf.Workloads.W2Etl;

/// <summary>W2's 24-byte input record.</summary>
[StructLayout(LayoutKind.Sequential)]
internal readonly record struct Sale(long Id, double Amount, int Qty, int Flags)
{
    /// <summary>The number of keys the amounts are summed over.</summary>
    public const int Keys = 1024;

    /// <summary>The filter: flags whose low two bits are not both 0 (3 records in 4 pass).</summary>
    public static bool IsKept(Sale sale) => (sale.Flags & 3) != 0;

    /// <summary>The map: the key (id modulo 1,024) and amount times quantity.</summary>
    public static Keyed Total(Sale sale) => new((int)(sale.Id & (Keys - 1)), sale.Amount * sale.Qty);

    public static Sale Create(long n)
    {
        var mixed = (ulong)n * 0x9E3779B97F4A7C15UL;
        return new Sale(n, (double)((mixed >> 40) % 100_000) / 100, (int)((mixed >> 20) % 20) + 1, (int)(mixed >> 60));
    }
}

/// <summary>W2's mapped record: a key and a value to sum.</summary>
internal readonly record struct Keyed(int Key, double Value);

/// <summary>The filter as a struct operator.</summary>
internal readonly struct KeepSale : IFilterOperator<Sale>
{
    public bool Include(Sale value) => Sale.IsKept(value);
}

/// <summary>The map as a struct operator.</summary>
internal readonly struct TotalOfSale : IMapOperator<Sale, Keyed>
{
    public Keyed Map(Sale value) => Sale.Total(value);
}

/// <summary>Sums per key (one array of 1,024 doubles).</summary>
internal sealed class KeyedTotals
{
    public double[] Totals { get; } = new double[Sale.Keys];

    public void Add(Keyed keyed) => Totals[keyed.Key] += keyed.Value;

    public void Clear() => Array.Clear(Totals);

    /// <summary>Equal within rounding: every peer adds in source order, so in practice the sums are identical.</summary>
    public bool SameAs(KeyedTotals other)
    {
        for (var i = 0; i < Totals.Length; i++)
        {
            if (Math.Abs(Totals[i] - other.Totals[i]) > 1e-9 * Math.Max(1, Math.Abs(other.Totals[i])))
            {
                return false;
            }
        }

        return true;
    }
}
