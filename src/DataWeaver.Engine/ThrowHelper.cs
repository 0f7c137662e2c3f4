using System.Diagnostics.CodeAnalysis;

namespace DataWeaver;

/// <summary>Throws out of line, so hot paths stay small.</summary>
internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowConfiguration(IReadOnlyList<string> errors) => throw new Errors.PipelineConfigurationException(errors);

    [DoesNotReturn]
    public static void ThrowInvalidOperation(string message) => throw new InvalidOperationException(message);

    [DoesNotReturn]
    public static T ThrowObjectDisposed<T>(string name) => throw new ObjectDisposedException(name);

    [DoesNotReturn]
    public static void ThrowArgument(string name, string message) => throw new ArgumentException(message, name);

    [DoesNotReturn]
    public static void ThrowArgumentOutOfRange(string name, object? value, string message) =>
        throw new ArgumentOutOfRangeException(name, value, message);
}
