using System.CommandLine;
using GenSharp.Pipelines;
using GenSharp.Runtime;
using GenSharp.Training;
using static TorchSharp.torch;

namespace GenSharp.Cli.Commands;

/// <summary>
/// <c>gensharp eval merge DIR... [--out FILE]</c>, and the shard half of <c>gensharp eval RUN_DIR --shard k/n</c> (docs/scale-out.md).
/// </summary>
public static class EvalMergeCommand
{
    public static Command Build()
    {
        var common = new CommonOptions();
        var dirs = new Argument<string[]>("DIR")
        {
            Description = "The folders written by gensharp eval RUN_DIR --shard k/n, one per shard", Arity = ArgumentArity.OneOrMore
        };
        var output = new Option<string?>("--out")
        {
            Description = "The merged evaluation (JSON; default merged.json beside the first DIR); never overwritten"
        };
        var command = new Command("merge", "Merge the shards of one evaluation exactly (fixed-point feature sums add up bit for bit) and score " +
            "the union: FD, " +
            "the classifier score and class histogram, and KID and precision/recall when every shard kept its features; beside the floor.\n\n" +
            "Examples:\n  gensharp eval merge runs/gan-ns/shards/eval-n10000-seed0/*\n  gensharp eval merge s0 s1 s2 --out merged.json");
        var quiet = new Option<bool>("--quiet") { Description = "No progress bar" };
        command.Arguments.Add(dirs);
        command.Options.Add(output);
        command.Options.Add(quiet);
        common.AddTo(command);
        command.SetAction(parse =>
        {
            TorchRuntime.Initialize(common.Read(parse));
            string[] folders = parse.GetValue(dirs)!;
            string outPath = parse.GetValue(output)
                ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(folders[0]).TrimEnd('/')) ?? ".", "merged.json");
            var notes = new StringWriter();
            var metrics = ShardMerge.Run(folders, outPath, notes, parse.GetValue(quiet));
            var w = parse.InvocationConfiguration.Output;
            if (notes.ToString().Length > 0) parse.InvocationConfiguration.Error.Write(notes.ToString());
            w.WriteLine($"wrote {outPath}");
            EvalCommand.PrintMetrics(w, new EvalOutcome(outPath, metrics));
            return 0;
        });
        return command;
    }

    /// <summary><c>eval RUN_DIR --shard k/n</c>: one shard's statistics into a new folder.</summary>
    public static int RunShard(ParseResult parse, ShardCliOptions options, IImageRunSource source, RunDirectory run, string kind, SampleShard shard,
        int batch, SamplingChoice choice, Device device)
    {
        int n = parse.GetValue<int>("--n");
        long seed = parse.GetValue<long>("--seed");
        string output = parse.GetValue(options.Out) ?? Path.Combine(run.Root, "shards", $"eval-n{n}-seed{seed}", $"{shard.Index}-of-{shard.Count}");
        string folder = ShardEvaluation.Run(source, run, kind, new ShardEvalRequest(n, seed, shard, output, parse.GetValue(options.Features), batch,
            parse.GetValue<bool>("--quiet"), choice), device);
        parse.InvocationConfiguration.Output.WriteLine($"wrote {folder}");
        return 0;
    }
}
