namespace GenSharp.Diffusion;

/// <summary>
/// Options of the variational bound evaluation (<see cref="VariationalBound"/>): the reverse variance
/// sigma_t^2 of the model ("beta" or "beta_tilde", as the sampler uses), and how many of the T-1 terms
/// L_{t-1} (t = 2..T) to evaluate: null for all of them (the exact sum), or K &lt; T-1 for an unbiased
/// stratified estimate (one random t per block of consecutive timesteps, log-spaced blocks, weighted by
/// the block's size).
/// </summary>
public sealed record VariationalBoundConfig(string Variance = "beta", int? Terms = null)
{
    public static readonly string[] Variances = ["beta", "beta_tilde"];

    public VariationalBoundConfig Validate()
    {
        if (!Variances.Contains(Variance)) throw new ConfigException($"--variance {Variance}: use beta or beta_tilde");
        if (Terms is int k && k < 1) throw new ConfigException($"--vlb-terms {k}: must be >= 1 (or omitted for all T-1 terms)");
        return this;
    }
}
