using DataWeaver.Internal.Plan;

namespace DataWeaver.Pipelines;

/// <summary>Describes the branches of <see cref="PipelineBuilder{T}.Route"/>: conditions are tried in order, the first that holds wins.</summary>
/// <typeparam name="T">The record type.</typeparam>
public sealed class RouteBuilder<T>
{
    private readonly BuilderState _state;
    private readonly List<(Func<T, bool>? Predicate, BranchState Branch)> _routes = [];

    internal RouteBuilder(BuilderState state)
    {
        _state = state;
    }

    internal IReadOnlyList<(Func<T, bool>? Predicate, BranchState Branch)> Routes => _routes;

    /// <summary>Adds a branch for the records matching <paramref name="predicate"/> (and no earlier branch).</summary>
    /// <param name="predicate">The condition. MUST NOT block.</param>
    /// <param name="branch">The branch, ending with a sink.</param>
    /// <returns>This builder.</returns>
    public RouteBuilder<T> When(Func<T, bool> predicate, Action<PipelineBuilder<T>> branch)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        return Add(predicate, branch);
    }

    /// <summary>Adds the branch for the records no earlier branch took. Must come last.</summary>
    /// <param name="branch">The branch, ending with a sink.</param>
    /// <returns>This builder.</returns>
    public RouteBuilder<T> Otherwise(Action<PipelineBuilder<T>> branch) => Add(null, branch);

    private RouteBuilder<T> Add(Func<T, bool>? predicate, Action<PipelineBuilder<T>> branch)
    {
        ArgumentNullException.ThrowIfNull(branch);
        _state.EnsureNotBuilt();
        var state = new BranchState();
        branch(new PipelineBuilder<T>(_state, state));
        _routes.Add((predicate, state));
        return this;
    }
}
