using DataWeaver.Perf.Harness;
using DataWeaver.Perf.Peers;
using DataWeaver.Pipelines;

namespace DataWeaver.Perf.Workloads.W3Ndjson;

/// <summary>
/// What W3 and W4 share: the NDJSON input in pooled segments, output files (<c>/dev/null</c> when timed, checked
/// against raw-loop's output on each peer's first run), and the peer shapes that read the input and write a file.
/// </summary>
internal abstract class NdjsonInputWorkload(long records) : Workload
{
    private readonly OutputCheck _check = new();

    public override long Records => records;

    protected NdjsonInput Input { get; private set; } = null!;

    public override ValueTask SetupAsync()
    {
        Input = new NdjsonInput(records);
        return default;
    }

    public override IReadOnlyDictionary<string, double> Derive(PeerResult result)
    {
        var bytesPerRecord = Input.Bytes / (double)records;
        return new Dictionary<string, double>
        {
            ["jsonGBPerSecond"] = bytesPerRecord / result.NsPerRecord,
            ["jsonGBPerSecondPerCore"] = bytesPerRecord / result.CpuNsPerRecord,
            ["coresUsed"] = result.CpuNsPerRecord / result.NsPerRecord,
        };
    }

    public override ValueTask DisposeAsync()
    {
        Input?.Dispose();
        _check.Dispose();
        return base.DisposeAsync();
    }

    /// <summary>A single-threaded peer: a loop over the input writing into <see cref="ChunkedOutput"/>.</summary>
    protected PeerBench FilePeer(string name, Action<ChunkedOutput> run) => new(name, verify =>
    {
        var path = verify ? _check.NewPath(name) : OutputCheck.Discard;
        using (var output = new ChunkedOutput(path))
        {
            run(output);
        }

        Verify(name, path, verify);
        return Task.FromResult(default(Iteration));
    });

    /// <summary>A stage-family peer: the source loop sends the lines, the sink writes each record with <paramref name="write"/>.</summary>
    protected PeerBench FamilyPeer<TOut>(StageFamily family, Func<Stages<ReadOnlyMemory<byte>>, Stages<TOut>> shape, Func<ChunkedOutput, Action<TOut>> write) =>
        new(family.Name, async verify =>
        {
            var path = verify ? _check.NewPath(family.Name) : OutputCheck.Discard;
            using (var output = new ChunkedOutput(path))
            {
                var inlet = family.Open(shape, write(output));
                foreach (var line in Input.Lines())
                {
                    var send = inlet.SendAsync(line);
                    if (!send.IsCompletedSuccessfully)
                    {
                        await send;
                    }
                }

                await inlet.CompleteAsync();
            }

            Verify(family.Name, path, verify);
            return default;
        });

    /// <summary>The DataWeaver peer: two pipelines built once (the timed one writes to /dev/null, the checked one to a file).</summary>
    protected PeerBench DataWeaverPeer(Func<string, Pipeline> build)
    {
        var timed = build(OutputCheck.Discard);
        var verifyPath = _check.NewPath(PeerNames.DataWeaver);
        var verified = build(verifyPath);
        return new PeerBench(PeerNames.DataWeaver, async verify =>
        {
            await (verify ? verified : timed).RunAsync();
            Verify(PeerNames.DataWeaver, verifyPath, verify);
            return default;
        });
    }

    private void Verify(string peer, string path, bool verify)
    {
        if (verify)
        {
            _check.Verify(peer, path);
        }
    }
}
