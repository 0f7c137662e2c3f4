using DataWeaver.Cli.Common;
using DataWeaver.Configuration;
using DataWeaver.Operations;

namespace DataWeaver.Cli.Run.Reload;

/// <summary>
/// Reloads the definition file of a <c>dataweaver run</c> session (SIGHUP, <c>--watch</c>, <c>POST /reload</c>): reads
/// and validates it again, builds every new or changed pipeline once to check its connectors' settings, and only then
/// applies it. A pipeline whose definition changed is drained (its source stops reading, what is in flight is written
/// and committed) and started again with its new definition from its committed positions; a removed one is drained and
/// leaves; an added one starts; an unchanged one is not touched (same host, same run, counters go on). An invalid file
/// changes nothing: its errors are printed and returned. One reload at a time; thread-safe.
/// </summary>
/// <param name="context">The process context (its standard error gets the reload's report).</param>
/// <param name="file">The definition file as given on the command line.</param>
/// <param name="sets">The <c>--set</c> values.</param>
/// <param name="names">The <c>--pipeline</c> values (the same selection is applied to the new file), or none for all.</param>
/// <param name="manager">The session's manager.</param>
/// <param name="session">The session's pipelines.</param>
/// <param name="drainTimeout">How long a changed or removed pipeline may drain before it is aborted (an abort loses nothing: what was not acknowledged is read again).</param>
internal sealed class DefinitionReloader(
    CliContext context,
    string file,
    IReadOnlyList<string>? sets,
    IReadOnlyList<string>? names,
    PipelineManager manager,
    SessionPipelines session,
    TimeSpan drainTimeout) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Lock _lock = new();
    private readonly List<PipelineFileDefinition> _files = [];

    /// <summary>Adds the file the session started with, whose secrets are scrubbed from every line.</summary>
    /// <param name="definition">The file.</param>
    public void Loaded(PipelineFileDefinition definition)
    {
        lock (_lock)
        {
            _files.Add(definition);
        }
    }

    /// <summary>Replaces the secret values of every version of the file loaded so far with <c>***</c>.</summary>
    /// <param name="text">Any text of the session.</param>
    /// <returns>The text without secrets.</returns>
    public string Scrub(string text)
    {
        lock (_lock)
        {
            return _files.Aggregate(text, static (scrubbed, f) => f.Scrub(scrubbed));
        }
    }

    /// <summary>Reloads the file and applies it; never throws for an invalid file.</summary>
    /// <param name="trigger">What asked for it, for the report (<c>SIGHUP</c>, <c>--watch</c>, <c>POST /reload</c>).</param>
    /// <returns>What changed, or why nothing did.</returns>
    public async Task<ReloadResult> ReloadAsync(string trigger)
    {
        try
        {
            await _gate.WaitAsync().ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            return Refuse(trigger, "the run has ended; nothing was reloaded", invalid: false); // a late SIGHUP or file change
        }

        try
        {
            var applying = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (!session.TryBeginReload(applying.Task))
            {
                return Refuse(trigger, "the run is stopping or has ended; nothing was reloaded", invalid: false);
            }

            try
            {
                return await ApplyAsync(trigger).ConfigureAwait(false);
            }
            finally
            {
                session.EndReload();
                applying.SetResult();
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<ReloadResult> ApplyAsync(string trigger)
    {
        // Read, validate and build before touching anything: an invalid file changes nothing.
        var current = session.ToList();
        using var errors = new StringWriter();
        var quiet = context with { Error = errors };
        var registry = manager.Registry;
        if (DefinitionFiles.Open(quiet, registry, file, sets, names) is not var (definition, selected)
            || DefinitionFiles.Build(quiet, manager.Factory.Create, [.. selected.Where(d => !IsUnchanged(d))]) is null)
        {
            return Refuse(trigger, errors.ToString().TrimEnd(), invalid: true);
        }

        Loaded(definition);
        var wanted = selected.Select(static d => d.Name).ToHashSet(StringComparer.Ordinal);
        var unchanged = selected.Where(IsUnchanged).Select(static d => d.Name).ToList();
        var changed = selected.Where(d => !IsUnchanged(d) && current.Any(p => p.Name == d.Name)).ToList();
        var added = selected.Where(d => current.All(p => p.Name != d.Name)).ToList();
        var removed = current.Where(p => !wanted.Contains(p.Name)).Select(static p => p.Name).ToList();

        // Drain what changed or left, side by side; the drain timeout turns a drain into an abort (nothing is lost:
        // what was not acknowledged is read again from the committed positions).
        using (var timeout = drainTimeout == Timeout.InfiniteTimeSpan ? new CancellationTokenSource() : new CancellationTokenSource(drainTimeout, context.Time))
        {
            await Task.WhenAll(changed.Select(static d => d.Name).Concat(removed).Select(name => manager.RemovePipelineAsync(name, timeout.Token))).ConfigureAwait(false);
        }

        foreach (var name in removed)
        {
            session.Remove(name);
        }

        List<string> notStarted = [];
        foreach (var definitionOfPipeline in changed.Concat(added))
        {
            try
            {
                var pipeline = manager.CreatePipeline(definitionOfPipeline); // built once above: its settings are valid
                if (!session.PutAndStart(pipeline, p => manager.StartPipeline(p.Name)))
                {
                    notStarted.Add(pipeline.Name);
                }
            }
            catch (Exception exception) when (exception is PipelineDefinitionException or InvalidOperationException)
            {
                // Built once already, so rare (a resource gone meanwhile): the pipeline is reported failed, the others go on.
                context.Error.WriteLine(Scrub($"error: reload of {file}: pipeline '{definitionOfPipeline.Name}' could not be started: {exception.Message}"));
            }
        }

        var result = new ReloadResult
        {
            Restarted = [.. changed.Select(static d => d.Name)],
            Added = [.. added.Select(static d => d.Name)],
            Removed = removed,
            Unchanged = unchanged,
        };
        context.Error.WriteLine(Scrub($"reloaded {file} ({trigger}): {Describe(result)}{(notStarted.Count > 0 ? $"; not started, the run is stopping: {string.Join(", ", notStarted)}" : string.Empty)}"));
        return result;

        bool IsUnchanged(PipelineDefinition d) => current.Any(p => p.Name == d.Name && d.Equals(p.Definition));
    }

    /// <inheritdoc />
    public void Dispose() => _gate.Dispose();

    private ReloadResult Refuse(string trigger, string error, bool invalid)
    {
        var message = Scrub(error);
        context.Error.WriteLine($"reload of {file} ({trigger}) refused, nothing changed: {message}");
        return new ReloadResult { Error = message, IsInvalidDefinition = invalid };
    }

    private static string Describe(ReloadResult result)
    {
        static string Part(string label, IReadOnlyList<string> names) => names.Count == 0 ? string.Empty : $"{label} {string.Join(", ", names)}; ";
        var parts = Part("restarted from the committed positions", result.Restarted) + Part("added", result.Added) + Part("removed (drained)", result.Removed) + Part("unchanged, still running", result.Unchanged);
        return parts.Length == 0 ? "no pipelines" : parts.TrimEnd(' ', ';');
    }
}
