using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace DataWeaver.Kafka.Testing.Internal;

/// <summary>
/// P/Invoke into librdkafka's mock cluster (rdkafka_mock.h of librdkafka 2.16), bound to the very file Confluent.Kafka
/// loaded: the name "librdkafka" resolves through <see cref="KafkaNativeLibrary.Resolve"/>, which on Linux pins it to the
/// librdkafka.redist library (never a system librdkafka such as Debian's librdkafka.so.1).
/// Only non-varargs entry points: varargs functions (rd_kafka_mock_push_request_errors) cannot be called from .NET
/// on Linux x64, so errors go through rd_kafka_mock_push_request_errors_array.
/// </summary>
internal static partial class LibRdKafkaMock
{
    private const string Library = "librdkafka";

    /// <summary>Binds this assembly's P/Invoke to the librdkafka file Confluent.Kafka uses, before any call.</summary>
    [ModuleInitializer]
    [SuppressMessage(
        "Usage",
        "CA2255:The 'ModuleInitializer' attribute should not be used in libraries",
        Justification = "The resolver must be registered before the first P/Invoke into the mock cluster.")]
    internal static void RegisterResolver()
    {
        NativeLibrary.SetDllImportResolver(typeof(LibRdKafkaMock).Assembly, KafkaNativeLibrary.Resolve);
    }

    /// <summary>rd_kafka_type_t RD_KAFKA_PRODUCER.</summary>
    public const int ProducerType = 0;

    /// <summary>rd_kafka_conf_res_t RD_KAFKA_CONF_OK.</summary>
    public const int ConfOk = 0;

    [LibraryImport(Library)]
    public static partial nint rd_kafka_conf_new();

    [LibraryImport(Library)]
    public static partial void rd_kafka_conf_destroy(nint conf);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static unsafe partial int rd_kafka_conf_set(nint conf, string name, string value, byte* errstr, nuint errstrSize);

    [LibraryImport(Library)]
    public static unsafe partial KafkaHandle rd_kafka_new(int type, nint conf, byte* errstr, nuint errstrSize);

    [LibraryImport(Library)]
    public static partial void rd_kafka_destroy(nint rk);

    [LibraryImport(Library)]
    public static partial MockClusterHandle rd_kafka_mock_cluster_new(KafkaHandle rk, int brokerCount);

    [LibraryImport(Library)]
    public static partial void rd_kafka_mock_cluster_destroy(nint mcluster);

    [LibraryImport(Library)]
    public static partial nint rd_kafka_mock_cluster_bootstraps(MockClusterHandle mcluster);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int rd_kafka_mock_topic_create(MockClusterHandle mcluster, string topic, int partitionCount, int replicationFactor);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int rd_kafka_mock_partition_set_leader(MockClusterHandle mcluster, string topic, int partition, int brokerId);

    [LibraryImport(Library)]
    public static partial int rd_kafka_mock_broker_set_down(MockClusterHandle mcluster, int brokerId);

    [LibraryImport(Library)]
    public static partial int rd_kafka_mock_broker_set_up(MockClusterHandle mcluster, int brokerId);

    [LibraryImport(Library)]
    public static partial int rd_kafka_mock_broker_set_rtt(MockClusterHandle mcluster, int brokerId, int rttMs);

    [LibraryImport(Library)]
    public static unsafe partial void rd_kafka_mock_push_request_errors_array(MockClusterHandle mcluster, short apiKey, nuint count, int* errors);

    [LibraryImport(Library)]
    public static partial void rd_kafka_mock_clear_request_errors(MockClusterHandle mcluster, short apiKey);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int rd_kafka_mock_coordinator_set(MockClusterHandle mcluster, string keyType, string key, int brokerId);

    [LibraryImport(Library)]
    public static partial int rd_kafka_mock_broker_decommission(MockClusterHandle mcluster, int brokerId);

    [LibraryImport(Library)]
    public static partial int rd_kafka_mock_broker_add(MockClusterHandle mcluster, int brokerId);

    [LibraryImport(Library)]
    public static partial void rd_kafka_mock_set_group_consumer_session_timeout_ms(MockClusterHandle mcluster, int sessionTimeoutMs);

    [LibraryImport(Library)]
    public static partial void rd_kafka_mock_set_group_consumer_heartbeat_interval_ms(MockClusterHandle mcluster, int heartbeatIntervalMs);

    [LibraryImport(Library)]
    public static partial void rd_kafka_mock_group_initial_rebalance_delay_ms(MockClusterHandle mcluster, int delayMs);

    [LibraryImport(Library)]
    public static partial void rd_kafka_mock_start_request_tracking(MockClusterHandle mcluster);

    [LibraryImport(Library)]
    public static partial void rd_kafka_mock_stop_request_tracking(MockClusterHandle mcluster);

    [LibraryImport(Library)]
    public static partial void rd_kafka_mock_clear_requests(MockClusterHandle mcluster);

    [LibraryImport(Library)]
    public static unsafe partial nint* rd_kafka_mock_get_requests(MockClusterHandle mcluster, nuint* count);

    [LibraryImport(Library)]
    public static partial int rd_kafka_mock_request_id(nint request);

    [LibraryImport(Library)]
    public static partial short rd_kafka_mock_request_api_key(nint request);

    [LibraryImport(Library)]
    public static partial long rd_kafka_mock_request_timestamp(nint request);

    [LibraryImport(Library)]
    public static unsafe partial void rd_kafka_mock_request_destroy_array(nint* requests, nuint count);

    [LibraryImport(Library)]
    public static partial nint rd_kafka_err2str(int err);

    /// <summary>librdkafka's text for an error code.</summary>
    public static string ErrorText(int err) => Marshal.PtrToStringUTF8(rd_kafka_err2str(err)) ?? err.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The NUL-terminated string librdkafka wrote into an error buffer.</summary>
    public static string ErrorBufferText(ReadOnlySpan<byte> buffer)
    {
        var end = buffer.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? buffer : buffer[..end]);
    }
}

/// <summary>An rd_kafka_t (the mock cluster's host client), destroyed with rd_kafka_destroy.</summary>
internal sealed class KafkaHandle : SafeHandle
{
    public KafkaHandle()
        : base(nint.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == nint.Zero;

    protected override bool ReleaseHandle()
    {
        LibRdKafkaMock.rd_kafka_destroy(handle);
        return true;
    }
}

/// <summary>
/// An rd_kafka_mock_cluster_t, destroyed with rd_kafka_mock_cluster_destroy. It keeps its host client alive
/// (a reference on the <see cref="KafkaHandle"/>) so the cluster is always destroyed before its client.
/// </summary>
internal sealed class MockClusterHandle : SafeHandle
{
    private KafkaHandle? host;

    public MockClusterHandle()
        : base(nint.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == nint.Zero;

    /// <summary>Ties the host client's lifetime to this cluster's.</summary>
    public void HoldHost(KafkaHandle client)
    {
        var added = false;
        client.DangerousAddRef(ref added);
        host = client;
    }

    protected override bool ReleaseHandle()
    {
        LibRdKafkaMock.rd_kafka_mock_cluster_destroy(handle);
        host?.DangerousRelease();
        return true;
    }
}
