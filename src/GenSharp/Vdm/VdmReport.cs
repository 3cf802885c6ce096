using GenSharp.Output;
using GenSharp.Pipelines;
using GenSharp.Training;
using static TorchSharp.torch;

namespace GenSharp.Vdm;

/// <summary>A VDM run's own figure (its log-SNR schedule) and report rows (the bound term by term, L_T beside L_inf, the variance).</summary>
internal static class VdmReport
{
    public const string SchedulePng = "log-snr-schedule.png";

    /// <summary>plots/log-snr-schedule.png: the run's gamma(t) beside the linear schedule with the same endpoints.</summary>
    public static void WriteSchedulePlot(RunDirectory run, string kind, LogSnrSchedule schedule)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var device = schedule.parameters().FirstOrDefault()?.device ?? CPU;
        var t = linspace(0, 1, 201, device: device);
        var ts = t.to_type(ScalarType.Float64).cpu().data<double>().ToArray();
        var gamma = schedule.Gamma(t).to_type(ScalarType.Float64).cpu().data<double>().ToArray();
        var (g0, g1) = schedule.Endpoints();
        Directory.CreateDirectory(run.PlotsDir);
        new LinePlot { Title = "Log-SNR schedule gamma(t) (EMA weights)", XLabel = "t", YLabel = "gamma(t) = -log SNR(t)" }
            .Add(ts, gamma, kind)
            .Add(ts, ts.Select(x => g0 + (g1 - g0) * x).ToArray(), "linear, same endpoints")
            .Save(Path.Combine(run.PlotsDir, SchedulePng));
    }

    public static IEnumerable<(string Key, string Value)> Rows(ImageEvaluationResult evaluation)
    {
        if (!evaluation.Json.TryGetValue("bits_per_dim", out var json) || json is null) yield break;
        var m = evaluation.Metrics;
        yield return ("variational bound", $"{m["bits_per_dim"]:F4} bits/dim on {evaluation.Json["bits_per_dim_images"]} held-out images " +
            $"= diffusion {m["bpd_diffusion"]:F4} + prior {m["bpd_prior"]:F5} + reconstruction {m["bpd_reconstruction"]:F4}");
        var discrete = VdmBitsPerDim.DiscreteSteps.Select(T => $"L_{T} {m[$"bpd_diffusion_L{T}"]:F4}");
        yield return ("diffusion term, L_T vs L_inf", string.Join(", ", discrete) +
            $", L_inf {m["bpd_diffusion"]:F4} (bits/dim, same images and noise)");
        yield return ("variance of the L_inf estimate", $"{m["loss_variance"]:G4} under the run's schedule, {m["loss_variance_linear"]:G4} under " +
            "the linear one (same network, images, noise and times)");
    }

    public static void AddSections(HtmlReport html, RunDirectory run)
    {
        string plot = Path.Combine(run.PlotsDir, SchedulePng);
        if (!File.Exists(plot)) return;
        html.AddHeading("The noise schedule");
        html.AddParagraph("gamma(t) = -log SNR(t) of the EMA weights beside the linear schedule with the same endpoints. The continuous-time " +
            "diffusion loss depends on the schedule only through its endpoints; its interior changes the variance of the loss estimate " +
            "(docs/vdm.md#invariance).");
        html.AddImage(plot, "Log-SNR schedule");
    }
}
