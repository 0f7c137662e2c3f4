using DataWeaver.AsyncMap;
using DataWeaver.Pipelines;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Configuration.Internal.Transforms;

/// <summary>
/// Compiles an <c>enrich</c> transform that calls a registered asynchronous enrichment (<c>enrich: { http: {...} }</c>)
/// instead of joining a table: the builder's <c>MapAsync</c> with <c>concurrency</c> calls at once (default 16, from 1 to
/// 4096), in input order unless <c>ordered: false</c>; a call that returns no record drops it.
/// </summary>
internal static class AsyncEnrichTransform
{
    /// <summary>The enrichment keys the schema knows under <c>enrich</c>.</summary>
    private static readonly string[] Keys = ["http"];

    /// <summary>Whether an <c>enrich</c> names an asynchronous enrichment rather than a table.</summary>
    public static bool Handles(TransformDefinition transform) => Key(transform.Arguments) is not null;

    /// <summary>The enrichment's key and its settings, or <see langword="null"/>.</summary>
    public static ConfigProperty? Key(ConfigValue args) => args.Properties.FirstOrDefault(p => Keys.Contains(p.Name, StringComparer.Ordinal));

    public static Func<PipelineBuilder<JsonRecord>, PipelineBuilder<JsonRecord>>? Compile(
        TransformDefinition transform, ConnectorRegistry registry, TimeProvider time, string pipelineName, string? baseDirectory, bool construct, List<ConfigurationError> errors, string name)
    {
        var args = transform.Arguments;
        var key = Key(args)!;
        foreach (var table in new[] { "path", "key", "tableKey", "format", "formatSettings", "onMissing", "refresh", "stateBudget", "into" })
        {
            if (args[table] is { } wrong)
            {
                errors.Add(ConfigurationError.At(wrong, $"'{table}' belongs to an enrich from a table (path); an enrich by '{key.Name}' takes its settings under '{key.Name}'.", ConfigurationErrorCode.Conflict));
            }
        }

        var concurrency = args["concurrency"] is { } c ? StatefulTransforms.Count(c, AsyncMapOptions.Default.MaxConcurrency, errors) : AsyncMapOptions.Default.MaxConcurrency;
        if (concurrency > AsyncMapOptions.MaxConcurrencyLimit)
        {
            errors.Add(ConfigurationError.At(args["concurrency"]!, $"must be from 1 to {AsyncMapOptions.MaxConcurrencyLimit}.", ConfigurationErrorCode.Range));
        }

        var registration = registry.FindAsyncEnrichment(key.Name);
        if (registration is null)
        {
            errors.Add(ConfigurationError.At(key.Value, $"No enrichment '{key.Name}' is registered: add its package to the registry (for http: registry.AddHttp() from DataWeaver.Http; the CLI has it).", ConfigurationErrorCode.UnknownTransform));
            return null;
        }

        if (!construct || errors.Count > 0)
        {
            return null;
        }

        var call = registration.Factory(new TransformContext(pipelineName, registration.Name, new ConnectorSettings(key.Value, baseDirectory), time));
        var options = new AsyncMapOptions { MaxConcurrency = concurrency, PreserveOrder = args["ordered"]?.Text is not "false", Name = name };
        return b => b
            .MapAsync(async (record, cancellationToken) => await call(record, cancellationToken).ConfigureAwait(false) ?? default, options)
            .Filter(static r => !r.IsDefault, name + ":drop");
    }
}
