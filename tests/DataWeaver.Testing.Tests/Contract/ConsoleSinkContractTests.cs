using System.Globalization;
using DataWeaver.Connectors;
using DataWeaver.Connectors.Console;
using DataWeaver.Testing.Contracts;

namespace DataWeaver.Testing.Tests.Contract;

/// <summary>The console sink against the sink contract, writing to a captured writer that the test reads back.</summary>
public sealed class ConsoleSinkContractTests : SinkContractTests<long>
{
    private readonly StringWriter _text = new(CultureInfo.InvariantCulture);
    private readonly TextWriter _writer;

    public ConsoleSinkContractTests()
    {
        _writer = TextWriter.Synchronized(_text);
    }

    protected override ValueTask<SinkConnector<long>> CreateSinkAsync(ContractContext context) =>
        new(new ConsoleSink<long>(n => n.ToString(CultureInfo.InvariantCulture), _writer));

    protected override long CreateRecord(long sequence, ContractContext context) => sequence;

    protected override ValueTask<IReadOnlyList<long>> ReadBackAsync(ContractContext context, CancellationToken cancellationToken)
    {
        string text;
        lock (_writer)
        {
            text = _text.ToString();
        }

        return new([.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(line => long.Parse(line, CultureInfo.InvariantCulture))]);
    }

    protected override long GetSequence(long record) => record;

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _writer.Dispose();
            _text.Dispose();
        }

        base.Dispose(disposing);
    }
}
