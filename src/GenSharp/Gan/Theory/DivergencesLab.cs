using GenSharp.Output;

namespace GenSharp.Gan.Theory;

/// <summary>
/// <c>gensharp lab divergences</c>: KL, JS and W1 between N(theta, e^2) and N(theta0, e^2) and their
/// gradients in theta as e -> 0, numerically (quadrature) beside the closed forms, with figures:
/// each divergence against theta for several e, and the gradient magnitudes against e.
/// </summary>
public static class DivergencesLab
{
    public sealed record Row(double E, double Kl, double KlClosed, double KlGrad, double KlGradClosed,
        double Js, double JsReduced, double JsGrad, double JsGradReduced, double W1, double W1Closed, double W1Grad, double W1GradClosed);

    public sealed record Result(double Theta, double Theta0, Row[] Rows,
        double MaxRelativeErrorKl, double MaxAbsErrorJs, double MaxAbsErrorW1, string[] Figures);

    public static readonly double[] DefaultEs = [1, 0.5, 0.2, 0.1, 0.05, 0.02, 0.01, 0.005, 0.002, 0.001];

    public static Result Run(double theta, double theta0, IReadOnlyList<double> es, string outDir)
    {
        if (theta == theta0) throw new ConfigException("--theta must differ from --theta0 (the divergences between equal distributions are all 0)");
        if (es.Count == 0 || es.Any(e => !(e > 0))) throw new ConfigException("every e must be positive");
        var rows = new List<Row>();
        foreach (double e in es)
        {
            var n = GaussianDivergences.Numerical(theta, theta0, e);
            var g = GaussianDivergences.NumericalGradient(theta, theta0, e);
            rows.Add(new Row(e,
                n.Kl, GaussianDivergences.KlClosed(theta, theta0, e), g.Kl, GaussianDivergences.KlGradientClosed(theta, theta0, e),
                n.Js, GaussianDivergences.JsReduced(theta, theta0, e), g.Js, GaussianDivergences.JsGradientReduced(theta, theta0, e),
                n.W1, GaussianDivergences.W1Closed(theta, theta0), g.W1, GaussianDivergences.W1GradientClosed(theta, theta0)));
        }
        Directory.CreateDirectory(outDir);
        var figures = new List<string>();
        double[] curveEs = [1, 0.3, 0.1];
        double[] thetas = Enumerable.Range(0, 161).Select(i => theta0 - 2 + 4.0 * i / 160).ToArray();
        foreach (var (name, f, logY) in new (string, Func<double, double, double>, bool)[]
        {
            ("kl", (t, e) => GaussianDivergences.Numerical(t, theta0, e).Kl, true),
            ("js", (t, e) => GaussianDivergences.Numerical(t, theta0, e).Js, false),
            ("w1", (t, e) => GaussianDivergences.Numerical(t, theta0, e).W1, false),
        })
        {
            var plot = new LinePlot
            {
                Title = $"{name.ToUpperInvariant()}(N(theta, e^2) || N({theta0}, e^2)) by quadrature",
                XLabel = "theta",
                YLabel = name.ToUpperInvariant(),
                LogY = logY,
            };
            foreach (double e in curveEs)
                plot.Add(thetas, thetas.Select(t => Math.Max(f(t, e), logY ? 1e-6 : double.MinValue)).ToArray(), $"e = {e}");
            string path = Path.Combine(outDir, $"divergence-{name}-vs-theta.png");
            plot.Save(path);
            figures.Add(path);
        }
        var logE = rows.Select(r => Math.Log10(r.E)).ToArray();
        string grad = Path.Combine(outDir, "divergence-gradients-vs-e.png");
        new LinePlot { Title = $"|d/dtheta| at theta = {theta}, theta0 = {theta0}", XLabel = "log10 e", YLabel = "|gradient|", LogY = true }
            .Add(logE, rows.Select(r => Math.Max(Math.Abs(r.KlGrad), 1e-300)).ToArray(), "KL: (theta - theta0) / e^2")
            .Add(logE, rows.Select(r => Math.Max(Math.Abs(r.JsGrad), 1e-300)).ToArray(), "JS (quadrature; floor = rounding): -> 0")
            .Add(logE, rows.Select(r => Math.Max(Math.Abs(r.JsGradReduced), 1e-300)).ToArray(), "JS (1D integral)")
            .Add(logE, rows.Select(r => Math.Max(Math.Abs(r.W1Grad), 1e-300)).ToArray(), "W1: 1")
            .Save(grad);
        figures.Add(grad);
        return new Result(theta, theta0, rows.ToArray(),
            rows.Max(r => Math.Abs(r.Kl - r.KlClosed) / r.KlClosed),
            rows.Max(r => Math.Abs(r.Js - r.JsReduced)),
            rows.Max(r => Math.Abs(r.W1 - r.W1Closed)),
            figures.ToArray());
    }
}
