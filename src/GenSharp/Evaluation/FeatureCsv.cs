using System.Globalization;
using static TorchSharp.torch;

namespace GenSharp.Evaluation;

/// <summary>Feature vectors from CSV: one vector per line, comma-separated numbers, all the same length (a header line of non-numbers is skipped).</summary>
public static class FeatureCsv
{
    public static Tensor Load(string path)
    {
        if (!File.Exists(path)) throw new DataFileException($"{path}: file not found");
        var rows = new List<double[]>();
        int lineNo = 0, dim = -1;
        foreach (string raw in File.ReadLines(path))
        {
            lineNo++;
            string line = raw.Trim();
            if (line.Length == 0) continue;
            var cells = line.Split(',');
            var values = new double[cells.Length];
            bool numeric = true;
            for (int i = 0; i < cells.Length && numeric; i++)
                numeric = double.TryParse(cells[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]) && double.IsFinite(values[i]);
            if (!numeric)
            {
                if (rows.Count == 0 && lineNo == 1) continue; // header
                throw new DataFileException($"{path}:{lineNo}: not a row of finite numbers");
            }
            if (dim < 0) dim = values.Length;
            else if (values.Length != dim) throw new DataFileException($"{path}:{lineNo}: {values.Length} values, but earlier rows have {dim}; every vector must have the same dimension");
            rows.Add(values);
        }
        if (rows.Count < 2) throw new DataFileException($"{path}: needs at least 2 feature vectors, found {rows.Count}");
        return tensor(rows.SelectMany(r => r).ToArray(), dtype: ScalarType.Float64).reshape(rows.Count, dim);
    }
}
