namespace GenSharp.Gan.Losses;

/// <summary>The GAN objectives by name, in one explicit place: a new objective is one file plus one line here.</summary>
public static class GanLosses
{
    private static readonly Dictionary<string, Func<GanLossOptions, IGanLoss>> Factories = new(StringComparer.Ordinal)
    {
        ["ns"] = _ => new NonSaturatingLoss(),
        ["minimax"] = _ => new MinimaxLoss(),
        ["wgan"] = o => new WganLoss(o.Clip),
        ["wgan-gp"] = o => new WganGpLoss(o.GpLambda),
        ["hinge"] = _ => new HingeLoss(),
    };

    public static IReadOnlyCollection<string> Names => Factories.Keys;

    public static IGanLoss Create(string name, GanLossOptions? options = null) =>
        Factories.TryGetValue(name, out var make)
            ? make(options ?? new GanLossOptions())
            : throw new ConfigException($"--loss {name}: unknown GAN objective; use one of {string.Join(", ", Factories.Keys)}");
}

/// <summary>Hyper-parameters some objectives take: WGAN's clipping bound c and WGAN-GP's lambda.</summary>
public sealed record GanLossOptions(double Clip = 0.01, double GpLambda = 10);
