using System.CommandLine;
using GenSharp.Score.Images;

namespace GenSharp.Cli;

/// <summary><c>--loss dsm|ssm|ssm-vr --projections M</c> of <c>train ncsn</c> (docs/score-models.md#sliced).</summary>
public sealed class ScoreObjectiveCliOptions
{
    private static readonly NcsnObjectiveConfig Defaults = new();

    public Option<string> Loss { get; } = new("--loss")
    {
        Description = "Score-matching objective: dsm (denoising, NCSN's), ssm (sliced, 1/2 (v^T s)^2) or ssm-vr (sliced, variance-reduced " +
            "1/2 |s|^2); the sliced ones cost an extra backward pass per projection (docs/score-models.md#sliced)",
        DefaultValueFactory = _ => Defaults.Loss,
    };

    public Option<int> Projections { get; } = new("--projections")
    {
        Description = "Random projections v per example for --loss ssm and ssm-vr",
        DefaultValueFactory = _ => Defaults.Projections,
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Loss);
        command.Options.Add(Projections);
    }

    public NcsnObjectiveConfig Read(ParseResult parse) =>
        new NcsnObjectiveConfig { Loss = parse.GetValue(Loss)!, Projections = parse.GetValue(Projections) }.Validate();
}
