using Confluent.SchemaRegistry;
using DataWeaver.Errors;

namespace DataWeaver.Serialization.SchemaRegistry.Client;

/// <summary>Creates the registry client for real use: Confluent's <see cref="CachedSchemaRegistryClient"/>, which caches schemas by id and by subject.</summary>
public static class SchemaRegistryClients
{
    /// <summary>Creates a caching registry client.</summary>
    /// <param name="options">Where the registry is and how to talk to it.</param>
    /// <returns>The client; dispose it when done.</returns>
    /// <exception cref="DataWeaverException">The options are invalid (fatal); the message lists every problem and no secret.</exception>
    public static ISchemaRegistryClient Create(SchemaRegistryClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new DataWeaverException(ErrorClass.Fatal, "Invalid schema registry options: " + string.Join(" ", problems));
        }

        return new CachedSchemaRegistryClient(ToConfig(options));
    }

    /// <summary>The Confluent configuration of the options.</summary>
    /// <param name="options">The options.</param>
    /// <returns>The configuration.</returns>
    public static SchemaRegistryConfig ToConfig(SchemaRegistryClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var config = new SchemaRegistryConfig
        {
            Url = options.Url,
            MaxCachedSchemas = options.MaxCachedSchemas,
            LatestCacheTtlSecs = (int)options.LatestCacheTtl.TotalSeconds,
            RequestTimeoutMs = (int)options.RequestTimeout.TotalMilliseconds,
            MaxRetries = options.MaxRetries,
        };
        if (options.BasicAuthUserInfo is not null)
        {
            config.BasicAuthCredentialsSource = AuthCredentialsSource.UserInfo;
            config.BasicAuthUserInfo = options.BasicAuthUserInfo;
        }

        if (options.SslCaLocation is not null)
        {
            config.SslCaLocation = options.SslCaLocation;
        }

        return config;
    }
}
