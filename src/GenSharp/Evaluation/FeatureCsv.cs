using System.Globalization;
using static TorchSharp.torch;

namespace GenSharp.Evaluation;

/// <summary>
/// Feature vectors from CSV: one vector per line, comma-separated numbers, all the same length. Line 1 is a header
/// only if none of its cells is a number (e.g. <c>f0,f1,f2</c>); a line 1 with some numbers and some garbage is a bad
/// row, reported as such, never skipped silently.
/// </summary>
public static class FeatureCsv
{
    /// <summary>The vectors of one file as (n, d) float64.</summary>
    public static Tensor Load(string path) => Read(path).Features;

    /// <summary>Two files whose vectors must have the same dimension; a mismatch names the file, the line and both dimensions.</summary>
    public static (Tensor A, Tensor B) LoadPair(string pathA, string pathB)
    {
        var a = Read(pathA);
        var b = Read(pathB);
        if (a.Dim != b.Dim)
        {
            a.Features.Dispose();
            b.Features.Dispose();
            throw new DataFileException($"{pathB}:{b.FirstRowLine}: vectors of dimension {b.Dim}, but {pathA} has dimension {a.Dim}; both files " +
                $"must hold vectors of the same length");
        }
        return (a.Features, b.Features);
    }

    private sealed record Table(Tensor Features, int Dim, int FirstRowLine);

    private static Table Read(string path)
    {
        Files.InputFile.RequireData(path);
        var rows = new List<double[]>();
        int lineNo = 0, dim = -1, firstRowLine = 0;
        foreach (string raw in File.ReadLines(path))
        {
            lineNo++;
            string line = raw.Trim();
            if (line.Length == 0) continue;
            if (line.Length > 64 * Limits.MaxFeatureDims)
                throw new DataFileException(
                    $"{path}:{lineNo}: line of {line.Length} characters, longer than vectors of at most {Limits.MaxFeatureDims} values");
            var cells = line.Split(',');
            if (cells.Length > Limits.MaxFeatureDims)
                throw new DataFileException($"{path}:{lineNo}: {cells.Length} values; feature vectors have at most {Limits.MaxFeatureDims}");
            var values = new double[cells.Length];
            var parsed = new bool[cells.Length];
            for (int i = 0; i < cells.Length; i++)
                parsed[i] = double.TryParse(cells[i].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]);
            if (lineNo == 1 && !parsed.Any(p => p)) continue; // a header: no cell is a number
            if (!parsed.All(p => p) || !values.All(double.IsFinite))
                throw new DataFileException($"{path}:{lineNo}: not a row of finite numbers");
            if (dim < 0)
            {
                dim = values.Length;
                firstRowLine = lineNo;
            }
            else if (values.Length != dim)
                throw new DataFileException($"{path}:{lineNo}: {values.Length} values, but line {firstRowLine} has {dim}; every vector must have " +
                    $"the same dimension");
            if (rows.Count >= Limits.MaxFeatureRows)
                throw new DataFileException($"{path}:{lineNo}: more than {Limits.MaxFeatureRows} feature vectors");
            rows.Add(values);
        }
        if (rows.Count < 2) throw new DataFileException($"{path}: needs at least 2 feature vectors, found {rows.Count}");
        return new Table(tensor(rows.SelectMany(r => r).ToArray(), dtype: ScalarType.Float64).reshape(rows.Count, dim), dim, firstRowLine);
    }
}
