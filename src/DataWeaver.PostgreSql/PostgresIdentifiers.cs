namespace DataWeaver.PostgreSql;

/// <summary>SQL identifiers: always quoted, so names keep their case and may hold any character.</summary>
internal static class PostgresIdentifiers
{
    /// <summary>A quoted identifier: <c>"name"</c>, inner quotes doubled.</summary>
    public static string Quote(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>
    /// A table name as given in options (<c>orders</c> or <c>sales.orders</c>: one dot separates the schema) quoted for SQL
    /// (<c>"sales"."orders"</c>); without a schema, the connection's search path finds the table.
    /// </summary>
    public static string QuoteTable(string table)
    {
        var dot = table.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? Quote(table) : Quote(table[..dot]) + "." + Quote(table[(dot + 1)..]);
    }
}
