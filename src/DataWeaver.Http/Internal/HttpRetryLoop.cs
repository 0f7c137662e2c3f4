using System.Globalization;
using System.Net;
using DataWeaver.Errors;

namespace DataWeaver.Http.Internal;

/// <summary>How a request is retried: tries, backoff and the clock the waits run on.</summary>
internal readonly record struct RetrySettings(int MaxAttempts, TimeSpan InitialBackoff, TimeSpan MaxBackoff, TimeProvider TimeProvider);

/// <summary>The answer a request finally got: a status that is not transient (2xx or a refusal) and its body.</summary>
internal readonly record struct FinalAnswer(HttpStatusCode Status, string? Reason, byte[] Body, HttpResponseMessage Response);

/// <summary>
/// Sends a request until it gets an answer that is not transient: connection errors, timeouts, 5xx, 408 and 429 are retried
/// with exponential backoff, a <c>Retry-After</c> replacing the backoff, up to the tries allowed.
/// </summary>
internal static class HttpRetryLoop
{
    /// <summary>Sends; returns the final answer (dispose its response), or throws a transient error once the tries ran out.</summary>
    /// <param name="client">The client.</param>
    /// <param name="create">Creates the request of each try.</param>
    /// <param name="settings">The retries.</param>
    /// <param name="describe">Names the request in errors (secrets already scrubbed).</param>
    /// <param name="onTry">Called before each try with its number (from 1).</param>
    /// <param name="cancellationToken">Aborts.</param>
    public static async Task<FinalAnswer> SendAsync(
        HttpClient client, Func<HttpRequestMessage> create, RetrySettings settings, string describe, Action<int>? onTry, CancellationToken cancellationToken)
    {
        var backoff = settings.InitialBackoff;
        for (var attempt = 1; ; attempt++)
        {
            TimeSpan? retryAfter = null;
            string problem;
            onTry?.Invoke(attempt);
            try
            {
                using var request = create();
                var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
                if (!HttpErrors.IsTransient(response.StatusCode))
                {
                    var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
                    return new FinalAnswer(response.StatusCode, response.ReasonPhrase, body, response);
                }

                using (response)
                {
                    problem = string.Create(CultureInfo.InvariantCulture, $"{(int)response.StatusCode} {response.ReasonPhrase}");
                    retryAfter = RetryAfter(response, settings.TimeProvider);
                }
            }
            catch (Exception error) when (HttpErrors.IsTransient(error) && !cancellationToken.IsCancellationRequested)
            {
                problem = error.Message;
            }

            if (attempt >= settings.MaxAttempts)
            {
                throw new DataWeaverException(ErrorClass.Transient, string.Create(CultureInfo.InvariantCulture, $"{describe} failed {attempt} times; the last time: {problem}"));
            }

            var wait = retryAfter ?? backoff;
            wait = wait > settings.MaxBackoff ? settings.MaxBackoff : wait;
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, settings.MaxBackoff.Ticks));
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, settings.TimeProvider, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response, TimeProvider time) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - time.GetUtcNow() is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
        _ => null,
    };
}
