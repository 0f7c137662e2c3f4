using System.Runtime.CompilerServices;
using DataWeaver.Pipelines;

namespace DataWeaver.Testing.Contracts;

/// <summary>What the source and sink contract suites share: the pipeline options, the guard, sequence ids, contexts.</summary>
/// <typeparam name="T">The connector's record type.</typeparam>
public abstract class ConnectorContractTests<T> : IDisposable
{
    private readonly List<ContractContext> _contexts = [];

    /// <summary>
    /// Gets the options of every pipeline the suite runs. Small batches and a small in-flight bound make restarts,
    /// drains and backpressure show within a few hundred records; commits are continuous.
    /// </summary>
    /// <value>The default: batches of 16, at most 64 records in flight, continuous commits.</value>
    protected virtual PipelineOptions PipelineOptions { get; } = new()
    {
        Name = "contract",
        BatchSize = 16,
        MaxInFlightRecords = 64,
        DefaultStageCapacity = 16,
        CommitInterval = TimeSpan.Zero,
    };

    /// <summary>Gets how many records each test uses.</summary>
    /// <value>The default is 500.</value>
    protected virtual int RecordCount => 500;

    /// <summary>Gets how long a test waits for records before it fails: a guard against hangs, not a performance limit.</summary>
    /// <value>The default is 60 seconds.</value>
    protected virtual TimeSpan Guard => TimeSpan.FromSeconds(60);

    /// <summary>Gets a value indicating whether the connector keeps the order of the records (one partition); when not, only loss and duplicates are checked.</summary>
    /// <value>The default is <see langword="true"/>.</value>
    protected virtual bool PreservesOrder => true;

    /// <summary>Reads a record's sequence id: the number the test gave it, 0 to <see cref="RecordCount"/> - 1.</summary>
    /// <param name="record">The record, valid only during the call.</param>
    /// <returns>The sequence id.</returns>
    protected abstract long GetSequence(T record);

    /// <summary>Creates the context of one test; it lives until the test class is disposed.</summary>
    /// <param name="test">The test's name (filled in by the compiler).</param>
    /// <returns>The context.</returns>
    protected ContractContext NewContext([CallerMemberName] string test = "")
    {
        var context = new ContractContext(RecordCount, test);
        lock (_contexts)
        {
            _contexts.Add(context);
        }

        return context;
    }

    /// <summary>Deletes the contexts' folders.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Deletes the contexts' folders.</summary>
    /// <param name="disposing">Whether called from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            lock (_contexts)
            {
                foreach (var context in _contexts)
                {
                    context.Dispose();
                }

                _contexts.Clear();
            }
        }
    }

    /// <summary>
    /// Awaits a run's completion and returns its error, if it failed (a drained or completed run returns
    /// <see langword="null"/>). A run that completed or was aborted committed everything acknowledged as it ended: those
    /// positions go to the context's <see cref="ContractContext.CommittedOffsets"/> too.
    /// </summary>
    /// <param name="run">The run.</param>
    /// <param name="context">The test's context; <see langword="null"/> records nothing.</param>
    /// <returns>The run's error, or <see langword="null"/>.</returns>
    protected async Task<Exception?> CompletionOfAsync(PipelineRun run, ContractContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(run);
        try
        {
            await run.Completion.WaitAsync(Guard).ConfigureAwait(false);
            context?.OnEnded(run);
            return null;
        }
        catch (OperationCanceledException error)
        {
            context?.OnEnded(run);
            return error;
        }
        catch (TimeoutException)
        {
            run.Abort();
            throw;
        }
        catch (Exception error)
        {
            return error;
        }
    }
}
