using DataWeaver.Connectors.Memory;
using DataWeaver.Errors;
using DataWeaver.Http.Tests.Support;
using DataWeaver.Pipelines;
using DataWeaver.Pipelines.ErrorHandling;
using DataWeaver.Records;

namespace DataWeaver.Http.Tests.Client;

/// <summary>The client sink against a real Kestrel server that fails on purpose: retries, Retry-After, dead letters of refusals.</summary>
public sealed class HttpSinkTests
{
    [Theory]
    [InlineData(HttpSinkBody.JsonArray)]
    [InlineData(HttpSinkBody.PerRecord)]
    public async Task Write_ServerFails20PercentAndRefusesSome_NothingLostAndDeadLettersExactlyTheRefused(HttpSinkBody body)
    {
        await using var server = await RecordingServer.StartAsync();
        var random = new Random(17);
        var failures = new[] { RecordingServer.Failure.ServerError, RecordingServer.Failure.TooManyRequests, RecordingServer.Failure.DropConnection };
        server.Fail = _ =>
        {
            lock (random)
            {
                return random.NextDouble() < 0.2 ? failures[random.Next(failures.Length)] : null;
            }
        };
        server.Refuse = id => id % 37 == 5;
        const int Count = 2_000;
        var records = Enumerable.Range(0, Count).Select(i => new Record<ReadOnlyMemory<byte>>(default, Json.Record(i), null, default, new SourcePosition(0, i))).ToList();
        var letters = new CollectionSink<DeadLetter>();
        var sink = new HttpSink(new HttpSinkOptions
        {
            Url = server.Url.ToString(),
            Body = body,
            MaxBatchRecords = 50,
            MaxConcurrency = 4,
            MaxAttempts = 20,
            InitialBackoff = TimeSpan.FromMilliseconds(1),
            MaxBackoff = TimeSpan.FromMilliseconds(10),
        });
        var run = Pipeline.From(new CollectionSource<Record<ReadOnlyMemory<byte>>>(records), new PipelineOptions { BatchSize = 200 })
            .To(sink).OnError(e => e.DeadLetterTo(letters)).Build().Start();

        await run.Completion.WaitAsync(TimeSpan.FromMinutes(1));

        var refused = Enumerable.Range(0, Count).Where(i => i % 37 == 5).Select(i => (long)i).ToList();
        var taken = server.Ids;
        Assert.Equal(Enumerable.Range(0, Count).Select(i => (long)i).Except(refused).Order(), taken.Order()); // 0 lost, 0 duplicated
        Assert.Equal(refused, letters.Records.Select(l => Json.Id(l.Payload.Span)).Order());
        Assert.All(letters.Records, l =>
        {
            Assert.Equal(ErrorClass.Data, l.ErrorClass);
            Assert.Contains("400 Bad Request", l.Exception.Message, StringComparison.Ordinal);
            Assert.Contains("is not accepted", l.Exception.Message, StringComparison.Ordinal); // the body excerpt
        });
        Assert.True(sink.Retries > 0, "The server never failed: the test proved nothing.");
    }

    [Fact]
    public async Task Write_ServerDown_TransientErrorAfterMaxAttemptsAndTheTokenScrubbed()
    {
        const string Token = "sink-canary-token-4242";
        await using var server = await RecordingServer.StartAsync();
        server.Down = true;
        var sink = new HttpSink(new HttpSinkOptions
        {
            Url = server.Url + "?token=" + Token,
            MaxAttempts = 3,
            InitialBackoff = TimeSpan.Zero,
            MaxBackoff = TimeSpan.Zero,
            Authentication = new HttpAuthentication { BearerToken = Token },
        });
        var run = Pipeline.From(new CollectionSource<Record<ReadOnlyMemory<byte>>>([new(default, Json.Record(1), null, default, default)]))
            .To(sink).Build().Start();

        var error = await Assert.ThrowsAnyAsync<Exception>(() => run.Completion.WaitAsync(TimeSpan.FromSeconds(30)));

        var failure = error as DataWeaverException ?? error.InnerException as DataWeaverException ?? Assert.IsType<DataWeaverException>(error.GetBaseException());
        Assert.Equal(ErrorClass.Transient, failure.ErrorClass);
        Assert.Equal(3, server.Requests);
        Assert.Contains("503", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Token, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Token, sink.Options.ToString(), StringComparison.Ordinal);
    }
}
