namespace GenSharp.Diffusion.Samplers;

/// <summary>
/// How one command spells the sampler settings on its command line: <c>sample</c> and <c>eval</c> use <see cref="Default"/>
/// (<c>--sampler --steps --eta --spacing --variance</c>), <c>train ddpm</c> uses <see cref="Training"/> (its <c>--steps</c> are
/// optimiser steps). Errors about a setting name the flag as the user typed it on that command.
/// </summary>
public sealed record SamplerFlags(string Sampler, string Steps, string Eta, string Spacing, string Variance)
{
    /// <summary>The spellings of <c>sample</c> and <c>eval</c>; also the ones validation messages are written with.</summary>
    public static readonly SamplerFlags Default = new("--sampler", "--steps", "--eta", "--spacing", "--variance");

    /// <summary>The spellings of <c>train ddpm</c>.</summary>
    public static readonly SamplerFlags Training = new("--sampler", "--sampler-steps", "--eta", "--spacing", "--sampler-variance");

    public string Of(SamplerSetting setting) => setting switch
    {
        SamplerSetting.Sampler => Sampler,
        SamplerSetting.Steps => Steps,
        SamplerSetting.Eta => Eta,
        SamplerSetting.Spacing => Spacing,
        SamplerSetting.Variance => Variance,
        _ => throw new ArgumentOutOfRangeException(nameof(setting)),
    };

    /// <summary>These spellings with <paramref name="setting"/> spelled <paramref name="flag"/> (e.g. an alias the user typed).</summary>
    public SamplerFlags With(SamplerSetting setting, string flag) => setting switch
    {
        SamplerSetting.Sampler => this with { Sampler = flag },
        SamplerSetting.Steps => this with { Steps = flag },
        SamplerSetting.Eta => this with { Eta = flag },
        SamplerSetting.Spacing => this with { Spacing = flag },
        SamplerSetting.Variance => this with { Variance = flag },
        _ => throw new ArgumentOutOfRangeException(nameof(setting)),
    };

    /// <summary>
    /// <paramref name="error"/> with its leading flag (validation writes "--steps 50: ..." in <see cref="Default"/>'s
    /// spelling) replaced by this command's spelling of the same setting; other errors unchanged.
    /// </summary>
    public ConfigException Respell(ConfigException error)
    {
        foreach (var setting in Enum.GetValues<SamplerSetting>())
        {
            string canonical = Default.Of(setting) + " ", typed = Of(setting) + " ";
            if (canonical != typed && error.Message.StartsWith(canonical, StringComparison.Ordinal))
                return new ConfigException(typed + error.Message[canonical.Length..], error);
        }
        return error;
    }
}
