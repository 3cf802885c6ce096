namespace GenSharp.Diffusion.Samplers;

/// <summary>
/// The settings a diffusion sampler can be given (on a command line or in config.json): <see cref="Sampler"/> its name,
/// <see cref="Steps"/> K of the T training steps, DDIM's <see cref="Eta"/>, the timestep <see cref="Spacing"/>, and
/// ancestral DDPM's reverse <see cref="Variance"/>. Which ones a sampler accepts is in <see cref="SamplerRegistry"/>.
/// </summary>
public enum SamplerSetting
{
    Sampler,
    Steps,
    Eta,
    Spacing,
    Variance,
}
