using System.Globalization;
using GenSharp.Output;
using GenSharp.Score.Samplers;
using GenSharp.Training;

namespace GenSharp.Score.Images;

/// <summary>The image NCSN's own report sections (the pipeline writes the rest): the noise plan, the annealing and denoising figures.</summary>
internal static class ImageNcsnReport
{
    public static void AddSections(HtmlReport html, RunDirectory run, ImageNcsnConfig config)
    {
        html.AddHeading("Noise levels (NCSNv2 techniques)");
        var sigmas = config.Noise.Sigmas();
        var langevin = config.Sampling.Build(sigmas);
        double ratioUsed = NoiseLevels.Ratio(langevin.Sigmas);
        html.AddKeyValueTable(
        [
            ("sigma_1", $"{sigmas[0]:G5} — {config.Noise.Sigma1Source}"),
            ("sigma_L", F(config.Noise.SigmaL)),
            ("gamma", $"{NoiseLevels.Ratio(sigmas):F5} realised; root of the overlap equation for D = {config.Dimension}: " +
                $"{(config.Noise.GammaRoot is double g ? g.ToString("F5", CultureInfo.InvariantCulture) : "n/a (given L)")}"),
            ("L", $"{sigmas.Length} trained levels"),
            ("sampling", $"{langevin.Sigmas.Length} levels x T = {langevin.StepsPerLevel} " +
                $"steps{(langevin.FinalDenoise ? " + final denoising" : "")} = {langevin.FunctionEvaluations} network evaluations per sample"),
            ("eps", $"{langevin.Eps:G4} ({(config.Sampling.Eps is null ? "technique 4" : "given")}); variance ratio s_T^2 / sigma_i^2 = " +
                $"{Ncsnv2Techniques.VarianceRatio(langevin.Eps, langevin.StepsPerLevel, ratioUsed, langevin.Sigmas[^1]):F4}"),
        ]);
        if (File.Exists(ImageNcsnFigures.NoiseLevelsPath(run)))
            html.AddImage(ImageNcsnFigures.NoiseLevelsPath(run),
                "The geometric noise levels and the Langevin step sizes alpha_i = eps sigma_i^2 / sigma_L^2");
        if (File.Exists(ImageNcsnFigures.ProgressionPath(run)))
        {
            html.AddHeading("Annealed Langevin dynamics");
            html.AddParagraph("The same chains from uniform noise through the noise levels: each column is the state after T Langevin steps at " +
                "that sigma (pixels clipped to the display range), the last column after the denoising step x + sigma_L^2 s(x, sigma_L).");
            html.AddImage(ImageNcsnFigures.ProgressionPath(run), "Annealing progression from sigma_1 to sigma_L");
        }
        if (File.Exists(ImageNcsnFigures.DenoisingPath(run)))
        {
            html.AddHeading("What the score network learned");
            html.AddParagraph("Held-out images noised at several levels (upper rows) and denoised in one step with the learned score, " +
                "x~ + sigma^2 s(x~, sigma) = E[x | x~] (Tweedie; lower rows): at large sigma it is a blurry class average, at small sigma the " +
                "image itself.");
            html.AddImage(ImageNcsnFigures.DenoisingPath(run), "One-step denoising with the learned score");
        }
    }

    private static string F(double v) => double.IsNaN(v) ? "n/a" : v.ToString("G4", CultureInfo.InvariantCulture);
}
