using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DataWeaver.Operations.Tests.Support;

/// <summary>
/// Debian's chromium, headless, driven over the Chrome DevTools Protocol (a WebSocket, no browser download, no
/// Playwright): navigate, evaluate JavaScript, click with the mouse, take a screenshot. The browser is this test's own
/// process with its own profile folder, killed by its handle at the end.
/// </summary>
public sealed class HeadlessChromium : IAsyncDisposable
{
    private readonly Process _process;
    private readonly DirectoryInfo _profile;
    private readonly ClientWebSocket _socket;
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonElement>> _pending = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _receiving;
    private readonly SemaphoreSlim _sending = new(1, 1);
    private int _nextId;

    private HeadlessChromium(Process process, DirectoryInfo profile, ClientWebSocket socket)
    {
        _process = process;
        _profile = profile;
        _socket = socket;
        _receiving = Task.Run(ReceiveAsync);
    }

    public static bool IsInstalled => Tool.Exists("chromium");

    public static async Task<HeadlessChromium> StartAsync(int width = 1280, int height = 900)
    {
        var profile = Directory.CreateTempSubdirectory("dw-chromium-");
        var start = new ProcessStartInfo("chromium") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[]
        {
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check",
            "--disable-extensions", "--disable-background-networking", "--disable-sync", "--mute-audio", "--hide-scrollbars",
            "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", $"--user-data-dir={profile.FullName}",
            $"--window-size={width},{height}", "about:blank",
        })
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += static (_, _) => { };
        process.ErrorDataReceived += static (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            // Chromium writes its port and browser path into DevToolsActivePort once it listens.
            var portFile = Path.Combine(profile.FullName, "DevToolsActivePort");
            await Wait.UntilAsync(() => File.Exists(portFile) && File.ReadAllLines(portFile).Length >= 2 || process.HasExited, "chromium listens for DevTools");
            Assert.False(process.HasExited, "chromium ended at its start");
            var port = File.ReadAllLines(portFile)[0].Trim();
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            string? pageSocket = null;
            await Wait.UntilAsync(
                async () =>
                {
                    var targets = JsonDocument.Parse(await http.GetStringAsync($"http://127.0.0.1:{port}/json/list")).RootElement;
                    pageSocket = targets.EnumerateArray().Where(t => t.GetProperty("type").GetString() == "page")
                        .Select(t => t.GetProperty("webSocketDebuggerUrl").GetString()).FirstOrDefault();
                    return pageSocket is not null;
                },
                "chromium has a page");
            var socket = new ClientWebSocket();
            socket.Options.KeepAliveInterval = TimeSpan.Zero;
            using var connect = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await socket.ConnectAsync(new Uri(pageSocket!), connect.Token);
            var browser = new HeadlessChromium(process, profile, socket);
            await browser.SendAsync("Page.enable");
            await browser.SendAsync("Runtime.enable");
            await browser.SendAsync("Emulation.setDeviceMetricsOverride", new JsonObject { ["width"] = width, ["height"] = height, ["deviceScaleFactor"] = 1, ["mobile"] = false });
            return browser;
        }
        catch
        {
            Kill(process);
            throw;
        }
    }

    /// <summary>Sends one DevTools command and returns its result; a protocol error fails the test.</summary>
    public async Task<JsonElement> SendAsync(string method, JsonObject? parameters = null)
    {
        var id = Interlocked.Increment(ref _nextId);
        var answer = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = answer;
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters ?? new JsonObject() };
        await _sending.WaitAsync();
        try
        {
            await _socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, endOfMessage: true, _stop.Token);
        }
        finally
        {
            _sending.Release();
        }

        var response = await answer.Task.WaitAsync(Wait.Guard);
        if (response.TryGetProperty("error", out var error))
        {
            Assert.Fail($"{method}: {error.GetRawText()}");
        }

        return response.GetProperty("result");
    }

    public async Task NavigateAsync(string url)
    {
        await SendAsync("Page.navigate", new JsonObject { ["url"] = url });
        await Wait.UntilAsync(async () => (await EvaluateAsync("document.readyState")).GetString() == "complete", "the page loaded");
    }

    /// <summary>Evaluates an expression in the page (promises awaited) and returns its value as JSON.</summary>
    public async Task<JsonElement> EvaluateAsync(string expression)
    {
        var result = await SendAsync("Runtime.evaluate", new JsonObject { ["expression"] = expression, ["returnByValue"] = true, ["awaitPromise"] = true });
        if (result.TryGetProperty("exceptionDetails", out var exception))
        {
            Assert.Fail($"{expression}: {exception.GetRawText()}");
        }

        return result.GetProperty("result").TryGetProperty("value", out var value) ? value.Clone() : default;
    }

    /// <summary>Clicks the middle of the element a CSS selector finds, with the mouse (pressed and released), as a user would.</summary>
    public async Task ClickAsync(string selector)
    {
        var box = await EvaluateAsync($$"""
            (() => { const e = document.querySelector({{JsonSerializer.Serialize(selector)}}); if (!e) return null;
                     e.scrollIntoView({ block: "center" }); const r = e.getBoundingClientRect(); return { x: r.x + r.width / 2, y: r.y + r.height / 2 }; })()
            """);
        Assert.True(box.ValueKind == JsonValueKind.Object, "no element matches " + selector);
        var (x, y) = (box.GetProperty("x").GetDouble(), box.GetProperty("y").GetDouble());
        foreach (var type in new[] { "mouseMoved", "mousePressed", "mouseReleased" })
        {
            await SendAsync("Input.dispatchMouseEvent", new JsonObject { ["type"] = type, ["x"] = x, ["y"] = y, ["button"] = "left", ["clickCount"] = type == "mouseMoved" ? 0 : 1 });
        }
    }

    /// <summary>A PNG of the page, full height.</summary>
    public async Task<byte[]> ScreenshotAsync()
    {
        var result = await SendAsync("Page.captureScreenshot", new JsonObject { ["format"] = "png", ["captureBeyondViewport"] = true });
        return Convert.FromBase64String(result.GetProperty("data").GetString()!);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            _socket.Abort();
        }
        catch (WebSocketException)
        {
        }

        Kill(_process);
        try
        {
            await _receiving.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception exception) when (exception is OperationCanceledException or WebSocketException or TimeoutException)
        {
        }

        _socket.Dispose();
        _process.Dispose();
        _stop.Dispose();
        try
        {
            _profile.Delete(recursive: true);
        }
        catch (IOException)
        {
            // a renderer still closing its files; the temp folder stays
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
        }
    }

    private async Task ReceiveAsync()
    {
        var buffer = new byte[1 << 16];
        using var message = new MemoryStream();
        while (!_stop.IsCancellationRequested && _socket.State == WebSocketState.Open)
        {
            WebSocketReceiveResult received;
            try
            {
                received = await _socket.ReceiveAsync(buffer, _stop.Token);
            }
            catch (Exception exception) when (exception is OperationCanceledException or WebSocketException)
            {
                break;
            }

            if (received.MessageType == WebSocketMessageType.Close)
            {
                break;
            }

            message.Write(buffer, 0, received.Count);
            if (!received.EndOfMessage)
            {
                continue;
            }

            var json = JsonDocument.Parse(message.ToArray()).RootElement.Clone();
            message.SetLength(0);
            if (json.TryGetProperty("id", out var id) && _pending.TryRemove(id.GetInt32(), out var answer))
            {
                answer.TrySetResult(json);
            }
        }

        foreach (var answer in _pending.Values)
        {
            answer.TrySetException(new WebSocketException("The DevTools connection closed."));
        }
    }
}
