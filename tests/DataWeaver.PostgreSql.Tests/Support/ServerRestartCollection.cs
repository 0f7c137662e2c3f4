namespace DataWeaver.PostgreSql.Tests.Support;

/// <summary>
/// The tests that restart the shared PostgreSQL server: xUnit runs this collection on its own, after the others, so no
/// other test's connection is cut by a restart (the sink benchmark failed with "read past the end of the stream" when it
/// ran beside the CDC soak test).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ServerRestartCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "PostgreSQL server restarts";
}
