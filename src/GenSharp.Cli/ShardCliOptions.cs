using System.CommandLine;
using GenSharp.Pipelines;

namespace GenSharp.Cli;

/// <summary>
/// <c>--shard k/n</c> and <c>--batch B</c> of <c>sample</c> and <c>eval</c>, and <c>eval</c>'s <c>--out DIR</c> and <c>--features</c>
/// (docs/scale-out.md): shard k of n draws a contiguous part of the sampling blocks, so the shards together are the unsharded draw.
/// </summary>
public sealed class ShardCliOptions(bool forEval)
{
    public Option<string?> Shard { get; } = new("--shard")
    {
        Description = "[images] Draw only shard k of n (k = 0..n-1) of the --n samples; the shards concatenated are exactly the unsharded " +
                      (forEval ? "samples. Writes feature statistics to --out for `gensharp eval merge`" : "samples, named by their index in it")
    };

    public Option<int> Batch { get; } = new("--batch")
    {
        Description = "[images] Samples per sampler call; each block of this many draws its noise from (seed, block), so shards must use " +
                      "the same value (default: the family's, 250; GAN 500)",
        DefaultValueFactory = _ => 0,
    };

    public Option<string?> Out { get; } = new("--out")
    {
        Description = "[with --shard] New folder for the shard's statistics (default RUN_DIR/shards/eval-nN-seedS/K-of-N)"
    };

    public Option<bool> Features { get; } = new("--features")
    {
        Description = "[with --shard] Also keep the shard's feature matrix, so the merge computes KID and precision/recall"
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Shard);
        command.Options.Add(Batch);
        if (!forEval) return;
        command.Options.Add(Out);
        command.Options.Add(Features);
    }

    /// <summary>The parsed shard (null: none) and block size (0: the family's), refused with one line when out of range.</summary>
    public (SampleShard? Shard, int Batch) Read(ParseResult parse)
    {
        int batch = parse.GetValue(Batch);
        if (batch != 0) Limits.Check("--batch", batch, 1, 10_000);
        string? text = parse.GetValue(Shard);
        if (forEval && text is null && (parse.GetValue(Out) is not null || parse.GetValue(Features) || batch != 0))
            throw new ConfigException("--out, --features and --batch go with --shard k/n (a shard's statistics); " +
                                      "without --shard, eval writes RUN_DIR/eval.json");
        return (text is null ? null : SampleShard.Parse(text), batch);
    }

    /// <summary>Refuses a shard for a run that is not an image run.</summary>
    public static IImageRunSource RequireImages(IRunRecipe recipe, string kind) =>
        recipe as IImageRunSource ?? throw new ConfigException($"--shard/--batch: for image runs; this run is {kind}");
}
