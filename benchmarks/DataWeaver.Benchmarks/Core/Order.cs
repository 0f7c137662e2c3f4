using System.Runtime.InteropServices;

namespace DataWeaver.Benchmarks.Core;

/// <summary>A small record (16 bytes) for the throughput benchmarks.</summary>
[StructLayout(LayoutKind.Sequential)]
public readonly record struct Order(long Id, int Quantity, int Flags)
{
    /// <summary>The map step of every variant: doubles the quantity and adds one.</summary>
    public static Order Reprice(Order order) => order with { Quantity = (order.Quantity * 2) + 1 };

    /// <summary>The filter step of every variant: keeps records whose flags are even (4 of 7).</summary>
    public static bool IsKept(Order order) => (order.Flags & 1) == 0;

    /// <summary>Makes the n-th record of the data set.</summary>
    public static Order Create(long n) => new(n, (int)(n % 1000), (int)(n % 7));
}

/// <summary>The map step as a struct operator the JIT specializes and inlines.</summary>
public readonly struct RepriceOperator : Pipelines.IMapOperator<Order, Order>
{
    public Order Map(Order value) => Order.Reprice(value);
}

/// <summary>The filter step as a struct operator the JIT specializes and inlines.</summary>
public readonly struct KeepEvenFlagsOperator : Pipelines.IFilterOperator<Order>
{
    public bool Include(Order value) => Order.IsKept(value);
}
