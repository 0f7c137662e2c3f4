using DataWeaver.Cli;

return await DataWeaverCli.RunAsync(args, CliContext.FromProcess()).ConfigureAwait(false);
