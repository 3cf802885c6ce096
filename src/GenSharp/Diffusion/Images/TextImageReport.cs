using System.Text.Json;
using GenSharp.Output;
using GenSharp.Training;
using static GenSharp.Diffusion.Images.TextImageFigures;

namespace GenSharp.Diffusion.Images;

/// <summary>The report section of a text-conditional image DDPM: OCR accuracies over w, requested vs read, a cross-attention map.</summary>
internal static class TextImageReport
{
    public static void AddSections(HtmlReport html, RunDirectory run)
    {
        string path = SummaryPath(run);
        if (!File.Exists(path)) return;
        var s = JsonSerializer.Deserialize<Summary>(File.ReadAllText(path), JsonDefaults.Options);
        if (s is null) return;
        html.AddHeading("Text-conditional CAPTCHAs, read back by the OCR");
        html.AddParagraph("Guided prediction eps = eps(x, \"\") + w (eps(x, text) - eps(x, \"\")): the empty string is the null condition. " +
            $"{s.SamplesPerString} samples of each of {TextImageEvaluation.StringsPerSet} strings of the training images (seen) and " +
            $"{TextImageEvaluation.StringsPerSet} test strings (unseen: in no training image), read by the committed OCR " +
            "(captcha-ocr-v1). Diversity is the mean pairwise distance of the OCR features of the samples of one string; rendered " +
            $"CAPTCHAs of the seen strings give {F(s.DiversityReal)}.");
        html.AddTable(["w", "chars (seen)", "strings (seen)", "chars (unseen)", "strings (unseen)", "diversity"],
            s.Rows.Select(r => (IReadOnlyList<string>)[F(r.Guidance), F(r.CharAccuracy), F(r.StringAccuracy), F(r.CharAccuracyUnseen),
                F(r.StringAccuracyUnseen), F(r.Diversity)]));
        if (File.Exists(SweepPath(run))) html.AddImage(SweepPath(run), "OCR accuracy over the guidance weight");
        html.AddImage(ReadGridPath(run), $"requested strings (one per row) at w = {F(s.Guidance)}; the OCR's reading of each sample " +
            "follows, a [bracketed] reading differs from the request");
        html.AddTable(["requested", "set", "OCR read (x marks a mismatch)"],
            s.Reads.Select(r => (IReadOnlyList<string>)[r.Requested, r.Seen ? "seen" : "unseen",
                string.Join("  ", r.Read.Select(x => x == r.Requested ? x : x + " x"))]));
        html.AddImage(AttentionPath(run), $"cross-attention of one sample of '{s.AttentionText}' at t = {s.AttentionStep} " +
            $"({s.AttentionLevel} level, heads averaged): for each token, the image regions attending to it (dark = most weight)");
    }
}
