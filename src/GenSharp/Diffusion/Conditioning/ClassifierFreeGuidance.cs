using static TorchSharp.torch;

namespace GenSharp.Diffusion.Conditioning;

/// <summary>A conditional noise predictor eps_theta(x_t, t, y) with y (B) int64 labels; the null label means "no condition".</summary>
public delegate Tensor ConditionalNoisePredictor(Tensor x, Tensor t, Tensor y);

/// <summary>
/// Classifier-free guidance (Ho &amp; Salimans 2022, eq. 6; docs/ddpm.md#classifier-free-guidance) as a noise predictor every sampler
/// takes unchanged (DDPM, DDIM, DPM-Solver++):
///   eps_w(x_t, t, c) = eps(x_t, t, null) + w (eps(x_t, t, c) - eps(x_t, t, null))
/// w = 0 is the unconditional model, w = 1 the conditional one, w &gt; 1 sharpens p(c | x) (Ho &amp; Salimans' w is this w - 1).
/// For 0 &lt; w, w != 1 both halves come from ONE network call on the concatenated batch [x; x] with labels [c; null].
/// w = 0 and w = 1 need one half only, and call the network once on the batch (so they are exactly the unguided predictions).
/// Guidance rescale phi (Lin et al. 2024, "Common diffusion noise schedules and sample steps are flawed", sec. 3.4, as diffusers'
/// <c>guidance_rescale</c> applies it to the noise prediction), with per-sample standard deviations over all but the batch axis:
///   eps_phi = phi * eps_w * std(eps(x_t, t, c)) / std(eps_w) + (1 - phi) * eps_w
/// pulls the guided prediction's scale back to the conditional one's, which a large w inflates. phi = 0 is plain guidance; it is
/// only applied where both halves exist (w not 0 or 1).
/// </summary>
public static class ClassifierFreeGuidance
{
    /// <summary>The guided predictor eps_w(x, t) for fixed <paramref name="labels"/> (B) int64.</summary>
    public static Func<Tensor, Tensor, Tensor> Guide(ConditionalNoisePredictor model, Tensor labels, long nullLabel, double w,
        double rescale = 0)
    {
        GuidanceWeight.Check(w, "guidance weight");
        GuidanceWeight.CheckRescale(rescale, "guidance rescale");
        if (w == 1) return (x, t) => model(x, t, labels);
        if (w == 0) return (x, t) => { using var none = full_like(labels, nullLabel); return model(x, t, none); };
        return (x, t) => Batched(model, x, t, labels, nullLabel, w, rescale);
    }

    /// <summary>The guided prediction from one call on (2B) inputs: [x; x], [t; t], [c; null]; the formula for every w.</summary>
    public static Tensor Batched(ConditionalNoisePredictor model, Tensor x, Tensor t, Tensor labels, long nullLabel, double w,
        double rescale = 0)
    {
        using var scope = NewDisposeScope();
        long b = x.shape[0];
        var both = model(cat([x, x], 0), cat([t, t], 0), cat([labels, full_like(labels, nullLabel)], 0)); // (2B, ...)
        var conditional = both.narrow(0, 0, b);
        var unconditional = both.narrow(0, b, b);
        var guided = unconditional + w * (conditional - unconditional);
        return (rescale == 0 ? guided : Rescale(guided, conditional, rescale)).MoveToOuterDisposeScope();
    }

    /// <summary>phi * guided * std(conditional) / std(guided) + (1 - phi) * guided, the standard deviations per sample.</summary>
    public static Tensor Rescale(Tensor guided, Tensor conditional, double rescale)
    {
        using var scope = NewDisposeScope();
        long[] dims = Enumerable.Range(1, (int)guided.dim() - 1).Select(d => (long)d).ToArray();
        var ratio = conditional.std(dims, keepdim: true) / guided.std(dims, keepdim: true);
        return (rescale * guided * ratio + (1 - rescale) * guided).MoveToOuterDisposeScope();
    }
}
