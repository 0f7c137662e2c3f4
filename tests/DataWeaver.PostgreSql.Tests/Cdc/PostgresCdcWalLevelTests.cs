using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using DataWeaver.PostgreSql.Cdc;

namespace DataWeaver.PostgreSql.Tests.Cdc;

/// <summary>
/// A server whose wal_level is not logical: the test's own PostgreSQL 15 instance (initdb into a temporary folder, a free
/// loopback port, wal_level=replica, trust authentication on loopback), so the shared server is never restarted. Needs root
/// (the instance runs as the postgres user, as eng/services/postgres.sh's does).
/// </summary>
public sealed class PostgresCdcWalLevelTests
{
    private const string Bin = "/usr/lib/postgresql/15/bin";

    [SkippableFact]
    public async Task Open_ServerWithWalLevelReplica_ThrowsWalLevelSayingHowToFixIt()
    {
        // initdb, run as the postgres user, writes to /dev/null; on 2026-12-07 a shared machine had a regular root-owned file there.
        Skip.IfNot(await OutputOfAsync("stat", "-c", "%F", "/dev/null") == "character special file", "/dev/null is not the null device here: initdb cannot run as the postgres user.");
        var directory = Directory.CreateTempSubdirectory("dw-pg-replica-").FullName;
        var data = Path.Combine(directory, "data");
        var port = FreePort();
        try
        {
            await RunAsync("chown", "postgres", directory);
            await RunAsync("su", "postgres", "-c", $"{Bin}/initdb -D {data} -A trust -U postgres --no-sync");
            await RunAsync("su", "postgres", "-c", string.Create(CultureInfo.InvariantCulture, $"{Bin}/pg_ctl -D {data} -l {directory}/server.log -w -t 120 -o \"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c wal_level=replica -c fsync=off\" start"));
            var source = new PostgresCdcSource(new PostgresCdcOptions { ConnectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres", Slot = "dwtest_wal", Tables = ["t"] });

            var error = await Assert.ThrowsAsync<PostgresCdcException>(async () => await source.OpenAsync());
            await source.CloseAsync();

            Assert.Equal(PostgresCdcFailure.WalLevel, error.Failure);
            Assert.Contains("wal_level = replica", error.Message, StringComparison.Ordinal);
            Assert.Contains("needs wal_level = logical", error.Message, StringComparison.Ordinal);
            Assert.Contains("restart the server", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            if (File.Exists(Path.Combine(data, "postmaster.pid")))
            {
                await RunAsync("su", "postgres", "-c", $"{Bin}/pg_ctl -D {data} -m immediate -w stop");
            }

            Directory.Delete(directory, recursive: true);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<string> OutputOfAsync(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true };
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return output.Trim();
    }

    private static async Task RunAsync(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await output}{await errors}");
    }
}
