using System.Globalization;
using System.Text.Json;
using GenSharp.Output;
using GenSharp.Training;

namespace GenSharp.Diffusion.Images;

/// <summary>The image DDPM's own report sections (the pipeline writes the rest): forward and reverse process, samplers side by side,
/// interpolation.</summary>
internal static class ImageDdpmReport
{
    public static void AddSections(HtmlReport html, RunDirectory run)
    {
        string forward = Path.Combine(run.PlotsDir, "forward-noising.png");
        if (File.Exists(forward))
        {
            html.AddHeading("The forward process");
            html.AddParagraph("Held-out images noised to step t: in the closed form x_t = sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps (upper row of " +
                "each pair) and by t single steps x_t = sqrt(1 - beta_t) x_{t-1} + sqrt(beta_t) eps (lower row). Both have the same distribution.");
            html.AddImage(forward, "Forward noising, closed form vs step by step");
        }
        string reverse = Path.Combine(run.PlotsDir, "reverse-process.png");
        if (File.Exists(reverse))
        {
            html.AddHeading("The reverse process");
            html.AddParagraph("Ancestral DDPM from pure noise (t = T) to samples (t = 0); no noise is added at the last step.");
            html.AddImage(reverse, "x_t every T/10 steps");
        }
        string samplers = ImageDdpmFigures.SamplersJsonPath(run);
        if (File.Exists(samplers))
        {
            var entries = JsonSerializer.Deserialize<List<SamplerComparisonEntry>>(File.ReadAllText(samplers), JsonDefaults.Options) ?? [];
            html.AddHeading("Samplers side by side");
            html.AddParagraph("Every sampler starts from the same noise (same seed). DDIM with eta = 0 is deterministic; eta = 1 matches DDPM's " +
                "noise level; DPM-Solver++(2M) is a second-order solver of the probability-flow ODE.");
            html.AddTable(["sampler", "network evaluations", "seconds for " + (entries.FirstOrDefault()?.Images ?? 0) + " images", "samples/s",
                "speed-up vs DDPM"],
                entries.Select(e => (IReadOnlyList<string>)[e.Label, e.FunctionEvaluations.ToString(CultureInfo.InvariantCulture), F(e.Seconds),
                    F(e.SamplesPerSecond), F(entries[0].Seconds / Math.Max(e.Seconds, 1e-9)) + "x"]));
            html.AddImageRow(entries.Where(e => File.Exists(e.Grid)).Select(e => (e.Grid, $"{e.Label}: {e.Seconds:F1} s")));
        }
        string interpolation = Path.Combine(run.PlotsDir, "ddim-interpolation.png");
        if (File.Exists(interpolation))
        {
            html.AddHeading("DDIM interpolation");
            html.AddParagraph("Deterministic DDIM (eta = 0) decodes spherical interpolations slerp(z_a, z_b, w) between two start noises: a " +
                "smooth row of images.");
            html.AddImage(interpolation, "DDIM-50 decoding of slerp(z_a, z_b, w)");
        }
    }

    private static string F(double v) => double.IsNaN(v) ? "n/a" : v.ToString("G4", CultureInfo.InvariantCulture);
}
