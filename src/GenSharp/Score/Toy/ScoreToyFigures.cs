using System.Globalization;
using GenSharp.Data.Toy;
using GenSharp.Pipelines;
using GenSharp.Output;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Score.Toy;

/// <summary>The figures of the score-toy experiments, written as PNG under plots/ and remembered by section for the report.</summary>
internal sealed class ScoreToyFigures(string plotsDir, GaussianMixture2D mixture, ScoreToyConfig config)
{
    private readonly (double XMin, double XMax, double YMin, double YMax) _extent = ToyRunReport.Extent(mixture);
    private readonly List<(string Label, double[] Losses)> _losses = [];

    public List<(string Path, string Caption)> DataFigures { get; } = [];
    public List<(string Path, string Caption)> FieldFigures { get; } = [];
    public List<(string Path, string Caption)> TrajectoryFigures { get; } = [];
    public List<(string Path, string Caption)> SampleFigures { get; } = [];
    public Dictionary<string, List<(string Path, string Caption)>> ProgressionFigures { get; } = [];
    public string? FieldErrorFigure { get; private set; }
    public string? LossFigure { get; private set; }

    private string P(string name) => Path.Combine(plotsDir, name);

    private static string S(double v) => v.ToString("G3", CultureInfo.InvariantCulture);

    public void Data(Tensor train, Tensor test)
    {
        string density = P("density.png");
        new HeatmapPlot(ToyRunReport.DensityGrid(mixture, _extent, 200), _extent) { Title = $"Density of {mixture.Name}", ColorBarLabel = "p(x)" }
            .Save(density);
        DataFigures.Add((density, "True density p(x) (heat-map)"));
        string scatter = P("train-test.png");
        var (tx, ty) = Columns(train);
        var (vx, vy) = Columns(test);
        new ScatterPlot { Title = $"Training set ({train.shape[0]}) and test set ({test.shape[0]})", Limits = _extent }
            .Add(tx, ty, "train", 2).Add(vx, vy, "test", 2).Save(scatter);
        DataFigures.Add((scatter, "Training and test samples"));
    }

    /// <summary>The figure grid as (G^2, 2) float32 points.</summary>
    public Tensor FieldGridPoints()
    {
        int n = config.FieldGrid;
        var pts = new float[n * n * 2];
        for (int iy = 0, k = 0; iy < n; iy++)
            for (int ix = 0; ix < n; ix++, k += 2)
            {
                pts[k] = (float)(_extent.XMin + (_extent.XMax - _extent.XMin) * ix / (n - 1));
                pts[k + 1] = (float)(_extent.YMin + (_extent.YMax - _extent.YMin) * iy / (n - 1));
            }
        return tensor(pts).reshape(n * n, 2);
    }

    public void ScoreFields(double sigma, GaussianMixture2D noised, NoiseConditionalScore learned, Device device)
    {
        using var scope = NewDisposeScope();
        var grid = FieldGridPoints();
        var exact = noised.Score(grid);
        var mine = learned(grid.to(device), full([grid.shape[0]], sigma, device: device)).cpu();
        var (x, y) = Columns(grid);
        foreach (var (kind, field) in new[] { ("learned", mine), ("exact", exact) })
        {
            string path = P($"field-{kind}-sigma{S(sigma)}.png");
            var (u, v) = Columns(field);
            new VectorFieldPlot(x, y, u, v) { Title = $"{kind} score at sigma = {S(sigma)} (direction; colour = magnitude)" }.Save(path, 520, 480);
            FieldFigures.Add((path, $"{kind}, sigma = {S(sigma)}"));
        }
    }

    public void FieldErrors(IReadOnlyList<FieldErrorResult> errors)
    {
        FieldErrorFigure = P("field-error.png");
        var sig = errors.Select(e => e.Sigma).ToArray();
        new LinePlot { Title = "Relative score-field error per sigma", XLabel = "sigma", YLabel = "E|s_theta - s|^2 / E|s|^2" }
            .Add(sig, errors.Select(e => e.RelativeError).ToArray(), "held-out x ~ p_sigma")
            .Add(sig, errors.Select(e => e.GridRelativeError).ToArray(), "uniform grid over the plot")
            .Save(FieldErrorFigure);
    }

    public void Trajectories(string score, double sigma, GaussianMixture2D noised, IReadOnlyList<(string Label, Tensor Path)> paths)
    {
        double xMin = _extent.XMin, xMax = _extent.XMax, yMin = _extent.YMin, yMax = _extent.YMax;
        foreach (var s in config.Starts)
        {
            xMin = Math.Min(xMin, s[0] - 2); xMax = Math.Max(xMax, s[0] + 2);
            yMin = Math.Min(yMin, s[1] - 2); yMax = Math.Max(yMax, s[1] + 2);
        }
        var extent = (xMin, xMax, yMin, yMax);
        var plot = new TrajectoryPlot(ToyRunReport.DensityGrid(noised, extent, 150), extent)
        {
            Title = $"Trajectories, {score} score at sigma = {S(sigma)}, step {S(config.LangevinStepSize)} x {config.LangevinSteps}",
            ColorBarLabel = "p_sigma(x)",
        };
        foreach (var (label, path) in paths)
            for (int i = 0; i < path.shape[0]; i++)
            {
                var (x, y) = Columns(path[i]);
                plot.Add(x, y, $"{label} from [{S(x[0])}, {S(y[0])}]");
            }
        string file = P($"trajectories-{score}.png");
        plot.Save(file, 760, 640);
        TrajectoryFigures.Add((file, $"{score} score"));
    }

    public void Samples(string key, Tensor samples, string title)
    {
        string file = P($"samples-{key}.png");
        using var cpu = samples.cpu();
        var (x, y) = Columns(cpu);
        new HeatmapPlot(ToyRunReport.DensityGrid(mixture, _extent, 150), _extent) { Title = title, ColorBarLabel = "p(x)" }
            .AddPoints(x, y, "samples").Save(file, 560, 480);
        SampleFigures.Add((file, title));
    }

    public void Progression(string score, IReadOnlyDictionary<int, Tensor> trajectory, Tensor final, double[] sigmas, int T)
    {
        var list = new List<(string, string)>();
        foreach (var (k, x) in trajectory.OrderBy(kv => kv.Key))
        {
            int level = k / T;
            string caption = level < sigmas.Length ? $"level {level + 1}, sigma {S(sigmas[level])}" : $"after level {sigmas.Length}";
            string file = P($"progression-{score}-k{k:D5}.png");
            using var cpu = x.cpu();
            var (px, py) = Columns(cpu);
            new ScatterPlot { Title = caption, Limits = _extent }.Add(px.Take(2000).ToArray(), py.Take(2000).ToArray(), "", 2).Save(file, 320, 320);
            list.Add((file, caption));
        }
        string last = P($"progression-{score}-final.png");
        using (var cpu = final.cpu())
        {
            var (fx, fy) = Columns(cpu);
            new ScatterPlot { Title = config.FinalDenoise ? "after the denoising step" : "samples", Limits = _extent }
                .Add(fx.Take(2000).ToArray(), fy.Take(2000).ToArray(), "", 2)
                .Save(last, 320, 320);
        }
        list.Add((last, config.FinalDenoise ? "final (denoised)" : "final"));
        ProgressionFigures[score] = list;
    }

    public void AddLoss(string label, double[] losses) => _losses.Add((label, losses));

    public void Losses()
    {
        LossFigure = P("losses.png");
        var plot = new LinePlot { Title = $"Training loss ({config.Loss}, weighted by sigma^2)", XLabel = "step", YLabel = "loss", Smooth = 25 };
        foreach (var (label, l) in _losses)
        {
            int stride = Math.Max(1, l.Length / 1000);
            var idx = Enumerable.Range(0, l.Length).Where(i => i % stride == 0).ToArray();
            plot.Add(idx.Select(i => (double)i).ToArray(), idx.Select(i => l[i]).ToArray(), label);
        }
        plot.Save(LossFigure);
    }

    private static (double[] X, double[] Y) Columns(Tensor xy)
    {
        using var scope = NewDisposeScope();
        var v = xy.cpu().to_type(ScalarType.Float64).contiguous().data<double>().ToArray();
        var x = new double[v.Length / 2];
        var y = new double[v.Length / 2];
        for (int i = 0; i < x.Length; i++) { x[i] = v[2 * i]; y[i] = v[2 * i + 1]; }
        return (x, y);
    }
}
