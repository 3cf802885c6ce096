using System.Text.Json;

namespace GenSharp.Data.Toy;

/// <summary>
/// A user-defined 2D Gaussian mixture from JSON:
/// <code>{"name": "mine", "components": [{"weight": 0.5, "mean": [0, 0], "cov": [[1, 0], [0, 1]]}, ...]}</code>
/// Weights must be positive and sum to 1; covariances 2x2, symmetric and positive definite.
/// </summary>
public static class ToyMixtureFile
{
    public static GaussianMixture2D Load(string path)
    {
        if (!File.Exists(path) && Files.FileKinds.Of(path) == Files.FileKind.Missing)
            throw new DataFileException($"{path}: mixture file not found; give a JSON file like {{\"components\": [{{\"weight\": 1, \"mean\": [0, " +
                $"0], \"cov\": [[1, 0], [0, 1]]}}]}}");
        byte[] bytes = Files.InputFile.ReadAllBytes(path, Limits.MaxTextFileBytes, m => new DataFileException(m));
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(Utf8(path, bytes),
                new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            throw new DataFileException($"{path}: invalid JSON at line {e.LineNumber + 1}; fix the file");
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("components", out var comps) ||
                comps.ValueKind != JsonValueKind.Array)
                throw new DataFileException($"{path}: expected an object with a \"components\" array");
            int k = comps.GetArrayLength();
            if (k == 0) throw new DataFileException($"{path}: \"components\" is empty; give at least one component");
            if (k > Limits.MaxMixtureComponents) throw new DataFileException($"{path}: {k} components, more than {Limits.MaxMixtureComponents}");
            var weights = new double[k];
            var means = new double[k][];
            var covs = new double[k][][];
            int i = 0;
            foreach (var c in comps.EnumerateArray())
            {
                string where = $"{path}: component {i}";
                if (c.ValueKind != JsonValueKind.Object) throw new DataFileException($"{where}: must be an object with weight, mean, cov");
                weights[i] = Number(c, "weight", where);
                if (!(weights[i] > 0) || !double.IsFinite(weights[i])) throw new DataFileException($"{where}: weight {weights[i]} must be a " +
                    $"positive number");
                means[i] = Vector(c, where);
                covs[i] = Matrix(c, where);
                i++;
            }
            double sum = weights.Sum();
            if (Math.Abs(sum - 1) > 1e-6)
                throw new DataFileException($"{path}: weights sum to {sum:R}, not 1; normalise them (divide each by {sum:R})");
            string name = root.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()!
                : Path.GetFileNameWithoutExtension(path);
            return new GaussianMixture2D(name, weights, means, covs);
        }
    }

    /// <summary>The file as text; bytes that are not UTF-8 are an error naming the file (not a crash deep in the JSON reader).</summary>
    private static string Utf8(string path, byte[] bytes)
    {
        try { return new System.Text.UTF8Encoding(false, true).GetString(bytes).TrimStart('\uFEFF'); }
        catch (System.Text.DecoderFallbackException) { throw new DataFileException($"{path}: not UTF-8 text; save the mixture as UTF-8 JSON"); }
    }

    private static double Number(JsonElement c, string field, string where) =>
        c.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.Number
            ? v.GetDouble()
            : throw new DataFileException($"{where}: \"{field}\" must be a number");

    private static double[] Vector(JsonElement c, string where)
    {
        if (!c.TryGetProperty("mean", out var m) || m.ValueKind != JsonValueKind.Array || m.GetArrayLength() != 2
            || m.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.Number))
            throw new DataFileException($"{where}: \"mean\" must be 2 numbers, e.g. [0, 0]");
        var v = m.EnumerateArray().Select(e => e.GetDouble()).ToArray();
        if (v.Any(x => !double.IsFinite(x))) throw new DataFileException($"{where}: \"mean\" must be finite");
        return v;
    }

    private static double[][] Matrix(JsonElement c, string where)
    {
        if (!c.TryGetProperty("cov", out var m) || m.ValueKind != JsonValueKind.Array || m.GetArrayLength() != 2
            || m.EnumerateArray().Any(r => r.ValueKind != JsonValueKind.Array || r.GetArrayLength() != 2
                || r.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.Number)))
            throw new DataFileException($"{where}: \"cov\" must be a 2x2 matrix, e.g. [[1, 0], [0, 1]]");
        var a = m.EnumerateArray().Select(r => r.EnumerateArray().Select(e => e.GetDouble()).ToArray()).ToArray();
        if (a.SelectMany(r => r).Any(x => !double.IsFinite(x))) throw new DataFileException($"{where}: \"cov\" must be finite");
        if (Math.Abs(a[0][1] - a[1][0]) > 1e-9 * Math.Max(1, Math.Abs(a[0][1])))
            throw new DataFileException($"{where}: \"cov\" is not symmetric ({a[0][1]} vs {a[1][0]})");
        double det = a[0][0] * a[1][1] - a[0][1] * a[0][1];
        if (!(a[0][0] > 0 && det > 0))
        {
            double tr = a[0][0] + a[1][1], disc = Math.Sqrt(Math.Max(0, tr * tr / 4 - det));
            throw new DataFileException($"{where}: \"cov\" is not positive definite (eigenvalues {tr / 2 + disc:G4} and {tr / 2 - disc:G4}); both " +
                $"must be > 0");
        }
        return a;
    }
}
