using StreamsExample;

var written = await StreamsExampleRun.RunAsync(messages: 5);
Console.WriteLine($"sink_topic holds {written.Count} messages:");
foreach (var message in written)
{
    Console.WriteLine(message.ToJsonString());
}
