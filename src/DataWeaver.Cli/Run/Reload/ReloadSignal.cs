using System.Runtime.InteropServices;

namespace DataWeaver.Cli.Run.Reload;

/// <summary>SIGHUP, the Unix convention for "read your configuration again": <c>kill -HUP PID</c> reloads a <c>dataweaver run</c>.</summary>
internal static class ReloadSignal
{
    /// <summary>Calls <paramref name="onSignal"/> on each SIGHUP, whose default action (ending the process) is cancelled.</summary>
    /// <param name="onSignal">The handler; called on the signal's thread.</param>
    /// <returns>What ends the subscription (nothing where the platform has no SIGHUP).</returns>
    public static IDisposable Subscribe(Action onSignal)
    {
        try
        {
            return PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
            {
                context.Cancel = true; // the process lives on and reloads
                onSignal();
            });
        }
        catch (PlatformNotSupportedException)
        {
            return new NoSubscription();
        }
    }

    private sealed class NoSubscription : IDisposable
    {
        public void Dispose()
        {
        }
    }
}
