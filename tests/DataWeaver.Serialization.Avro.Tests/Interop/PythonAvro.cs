using System.Diagnostics;
using System.Text.Json.Nodes;

namespace DataWeaver.Serialization.Avro.Tests.Interop;

/// <summary>Runs python/interop.py with /usr/bin/python3, where Debian's python3-avro is importable.</summary>
internal static class PythonAvro
{
    private const string Python = "/usr/bin/python3";

    private static readonly string Script = Path.Combine(AppContext.BaseDirectory, "python", "interop.py");

    public static string Run(params string[] args)
    {
        EnsureAvailable();
        var (code, stdout, stderr) = Exec(args);
        Assert.True(code == 0, $"interop.py {string.Join(' ', args)} failed ({code}): {stderr}");
        return stdout;
    }

    public static JsonNode RunJson(params string[] args) => JsonNode.Parse(Run(args))!;

    private static void EnsureAvailable()
    {
        if (!File.Exists(Python))
        {
            Assert.Fail("/usr/bin/python3 is missing: install python3-avro (apt-get install -y python3-avro) to run the Avro interop tests.");
        }

        var (code, _, stderr) = Exec("check");
        if (code != 0)
        {
            Assert.Fail("Apache Avro's Python implementation is not importable from /usr/bin/python3: run `apt-get install -y python3-avro`. " + stderr);
        }
    }

    private static (int Code, string Stdout, string Stderr) Exec(params string[] args)
    {
        var psi = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Script);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(30_000))
        {
            p.Kill();
            Assert.Fail("interop.py timed out");
        }

        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}
