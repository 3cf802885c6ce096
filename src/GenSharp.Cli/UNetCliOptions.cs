using System.CommandLine;
using GenSharp.Cli.Commands;
using GenSharp.Nn;

namespace GenSharp.Cli;

/// <summary>
/// The reference U-Net's options of a train command whose network is always that U-Net (docs/unet.md): <c>--ch</c>, <c>--mults</c>,
/// <c>--res-blocks</c>, <c>--attn</c>, <c>--dropout</c>, described with the family's defaults and read on top of them.
/// </summary>
public sealed class UNetCliOptions
{
    public UNetCliOptions(UNetConfig defaults)
    {
        Ch = new Option<int>("--ch") { Description = "U-Net base channels", DefaultValueFactory = _ => defaults.Channels };
        Mults = new Option<string?>("--mults")
        {
            Description = $"U-Net channel multipliers per level, comma-separated (default {string.Join(",", defaults.Multipliers)})"
        };
        ResBlocks = new Option<int>("--res-blocks")
        {
            Description = "U-Net residual blocks per level",
            DefaultValueFactory = _ => defaults.ResBlocksPerLevel
        };
        Attn = new Option<string?>("--attn")
        {
            Description = $"Resolutions with self-attention, comma-separated, or none (default {string.Join(",", defaults.AttentionResolutions)})"
        };
        Dropout = new Option<double>("--dropout") { Description = "Dropout in residual blocks", DefaultValueFactory = _ => defaults.Dropout };
    }

    public Option<int> Ch { get; }
    public Option<string?> Mults { get; }
    public Option<int> ResBlocks { get; }
    public Option<string?> Attn { get; }
    public Option<double> Dropout { get; }

    public IEnumerable<Option> All => [Ch, Mults, ResBlocks, Attn, Dropout];

    /// <summary>The options on top of <paramref name="defaults"/>.</summary>
    public UNetConfig Read(ParseResult parse, UNetConfig defaults) => defaults with
    {
        Channels = parse.GetValue(Ch),
        Multipliers = TrainDdpmCommand.ParseInts(parse.GetValue(Mults), "--mults") ?? defaults.Multipliers,
        ResBlocksPerLevel = parse.GetValue(ResBlocks),
        AttentionResolutions = TrainDdpmCommand.ParseInts(parse.GetValue(Attn), "--attn") ?? defaults.AttentionResolutions,
        Dropout = parse.GetValue(Dropout),
    };
}
