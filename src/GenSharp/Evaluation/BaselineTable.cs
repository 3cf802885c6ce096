using System.Globalization;
using GenSharp.Output;

namespace GenSharp.Evaluation;

/// <summary>
/// The table every image-model report shows (docs/evaluation.md#floor-and-ceiling): a model's FD, KID, precision, recall and classifier score in
/// one column, the real-vs-real floor and the noise ceiling at the same n beside it, so that a reader can judge a number.
/// </summary>
public static class BaselineTable
{
    public static HtmlReport AddTo(HtmlReport html, string modelLabel, ImageMetricsReport model,
        ImageMetricsReport floor, ImageMetricsReport ceiling)
    {
        html.AddTable(["metric", $"model ({modelLabel})", "floor: train vs test", "ceiling: noise vs test"],
        [
            ["Fréchet distance", F(model.FrechetDistance), F(floor.FrechetDistance), F(ceiling.FrechetDistance)],
            ["KID (mean ± std over subsets)", Kid(model), Kid(floor), Kid(ceiling)],
            ["precision", F(model.Precision), F(floor.Precision), F(ceiling.Precision)],
            ["recall", F(model.Recall), F(floor.Recall), F(ceiling.Recall)],
            ["classifier score", F(model.ClassifierScore), F(floor.ClassifierScore), F(ceiling.ClassifierScore)],
        ]);
        html.AddParagraph($"Features: {model.Extractor}; {model.NGenerated} samples against {model.NReal} held-out images; " +
                          $"the floor compares {floor.NGenerated} training images with the same held-out images. " +
                          "KID is the mean over random subsets ± the standard deviation over subsets (not a standard error: the subsets overlap).");
        return html;
    }

    /// <summary>The model's column alone, with the reason the run's data give no floor or ceiling at this n (instead of a number).</summary>
    public static HtmlReport AddWithoutFloor(HtmlReport html, string modelLabel, ImageMetricsReport model, string reason)
    {
        html.AddTable(["metric", $"model ({modelLabel})"],
        [
            ["Fréchet distance", F(model.FrechetDistance)],
            ["KID (mean ± std over subsets)", Kid(model)],
            ["precision", F(model.Precision)],
            ["recall", F(model.Recall)],
            ["classifier score", F(model.ClassifierScore)],
        ]);
        html.AddParagraph($"Features: {model.Extractor}; {model.NGenerated} samples against {model.NReal} held-out images. No floor or ceiling: " +
            $"{reason}.");
        return html;
    }

    /// <summary>Adds <c>&lt;key&gt;_floor</c> and <c>&lt;key&gt;_noise</c> entries for every metric of the two baselines.</summary>
    public static void AddBaselineMetrics(IDictionary<string, double?> metrics, ImageMetricsReport floor, ImageMetricsReport ceiling)
    {
        foreach (var (k, v) in floor.ToDictionary()) metrics[k + "_floor"] = v;
        foreach (var (k, v) in ceiling.ToDictionary()) metrics[k + "_noise"] = v;
    }

    private static string Kid(ImageMetricsReport r) => $"{F(r.Kid)} ± {F(r.KidStd)}";

    private static string F(double v) => double.IsNaN(v) ? "n/a" : v.ToString("G4", CultureInfo.InvariantCulture);
}
