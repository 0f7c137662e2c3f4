using System.Net.Http.Headers;

namespace DataWeaver.Http.Tests.Support;

/// <summary>
/// Clients that post fixed chunks of NDJSON to an <see cref="HttpServerSource"/> until each chunk was answered 200, the way a
/// well-behaved producer does: a refused (429/503) or failed request is sent again after a short pause. The chunks answered
/// 200 are shared across runs (restarts): a new set of clients sends only the others.
/// </summary>
internal sealed class PostingClients : IAsyncDisposable
{
    private readonly Chunks _chunks;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _workers;
    private readonly HttpClient _client = new() { Timeout = TimeSpan.FromSeconds(60) };

    private readonly TimeSpan _pause;

    private PostingClients(Chunks chunks, Func<Uri?> address, int workers, string? token, TimeSpan pause)
    {
        _chunks = chunks;
        _pause = pause;
        if (token is not null)
        {
            _client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        _workers = [.. Enumerable.Range(0, workers).Select(_ => Task.Run(() => WorkAsync(address)))];
    }

    /// <summary>Starts the clients.</summary>
    /// <param name="chunks">What they send.</param>
    /// <param name="address">Where (polled until not null).</param>
    /// <param name="workers">How many post at once.</param>
    /// <param name="token">A bearer token, or null.</param>
    /// <param name="pause">How long each client waits after a chunk answered 200 (pacing, so that a kill lands mid-run); default none.</param>
    public static PostingClients Start(Chunks chunks, Func<Uri?> address, int workers, string? token, TimeSpan pause = default) => new(chunks, address, workers, token, pause);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_workers);
        _client.Dispose();
        _stop.Dispose();
    }

    private async Task WorkAsync(Func<Uri?> address)
    {
        Uri? url;
        while ((url = address()) is null)
        {
            if (_stop.IsCancellationRequested)
            {
                return;
            }

            await Task.Delay(5);
        }

        while (!_stop.IsCancellationRequested && !_chunks.AllAnswered)
        {
            if (!_chunks.TryClaim(out var index))
            {
                await Task.Delay(10); // the rest is being sent by other clients
                continue;
            }

            var done = false;
            try
            {
                using var content = new ByteArrayContent(_chunks.Bodies[index]);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
                using var response = await _client.PostAsync(url, content, CancellationToken.None);
                done = response.IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
            }

            _chunks.Release(index, done);
            if (!done)
            {
                await Task.Delay(10);
            }
            else if (_pause > TimeSpan.Zero)
            {
                await Task.Delay(_pause);
            }
        }
    }

    /// <summary>The chunks of one test, shared by every run: which were answered 200, which are being sent.</summary>
    internal sealed class Chunks(IReadOnlyList<byte[]> bodies)
    {
        private readonly int[] _state = new int[bodies.Count]; // 0 to send, 1 being sent, 2 answered 200
        private int _next;

        public IReadOnlyList<byte[]> Bodies { get; } = bodies;

        public static Chunks Of(IReadOnlyList<byte[]> lines, int perChunk) =>
            new([.. lines.Chunk(perChunk).Select(chunk => chunk.SelectMany(line => line.Append((byte)'\n')).ToArray())]);

        /// <summary>Claims the next chunk to send, in order; false when every chunk is answered or being sent.</summary>
        public bool TryClaim(out int index)
        {
            lock (_state)
            {
                for (var i = 0; i < _state.Length; i++)
                {
                    var candidate = (_next + i) % _state.Length;
                    if (_state[candidate] == 0)
                    {
                        _state[candidate] = 1;
                        _next = candidate + 1;
                        index = candidate;
                        return true;
                    }
                }

                index = -1;
                return false;
            }
        }

        public bool AllAnswered
        {
            get
            {
                lock (_state)
                {
                    return _state.All(s => s == 2);
                }
            }
        }

        public void Release(int index, bool answered)
        {
            lock (_state)
            {
                _state[index] = answered ? 2 : 0;
                if (!answered)
                {
                    _next = Math.Min(_next, index);
                }
            }
        }
    }
}
