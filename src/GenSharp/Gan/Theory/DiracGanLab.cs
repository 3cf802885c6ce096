using System.Numerics;
using GenSharp.Output;
using LinePattern = ScottPlot.LinePattern;

namespace GenSharp.Gan.Theory;

/// <summary>
/// <c>gensharp lab dirac-gan</c>: runs simultaneous and alternating gradient descent (and, with instance
/// noise, simultaneous descent on the blurred losses, plus the continuous dynamics by RK4) on the
/// Dirac-GAN, compares the update Jacobians' eigenvalues at the equilibrium (central differences)
/// with the closed forms, and draws the phase portrait, theta^2 + psi^2 over time and the eigenvalues.
/// </summary>
public static class DiracGanLab
{
    public sealed record Options(string Loss = "ns", double H = 0.1, int Steps = 300, double InstanceNoise = 0.5,
        double Theta0 = 1, double Psi0 = 0);

    public sealed record Eigen(double Re, double Im, double Abs);

    public sealed record Scheme(
        string Name, double InstanceNoise,
        double RadiusSquaredStart, double RadiusSquaredEnd, double FractionOfStepsRadiusGrew, bool RadiusGrewEveryStep,
        Eigen[] EigenvaluesNumerical, Eigen[] EigenvaluesClosedForm, double MaxEigenvalueError, double[] Theta, double[] Psi);

    public sealed record Result(string Loss, double H, int Steps, double FPrime0, double Theta0, double Psi0,
        Scheme Simultaneous, Scheme Alternating, Scheme? WithInstanceNoise,
        double ContinuousRadiusSquaredEnd, double ContinuousRelativeDrift, string[] Figures);

    public static Result Run(Options o, string outDir)
    {
        if (!(o.H > 0) || double.IsInfinity(o.H)) throw new ConfigException($"--h {o.H}: the step size must be positive");
        if (o.Steps < 1) throw new ConfigException($"--steps {o.Steps}: must be at least 1");
        if (o.InstanceNoise < 0) throw new ConfigException($"--instance-noise {o.InstanceNoise}: must be >= 0 (0 skips the noisy run)");
        var clean = new DiracGan(o.Loss);
        var sim = Evaluate("simultaneous", clean, (t, p) => clean.SimultaneousStep(t, p, o.H), clean.SimultaneousEigenvaluesClosedForm(o.H), o);
        var alt = Evaluate("alternating", clean, (t, p) => clean.AlternatingStep(t, p, o.H), clean.AlternatingEigenvaluesClosedForm(o.H), o);
        Scheme? noisy = null;
        if (o.InstanceNoise > 0)
        {
            var blurred = new DiracGan(o.Loss, o.InstanceNoise);
            noisy = Evaluate($"simultaneous, instance noise {o.InstanceNoise}", blurred,
                (t, p) => blurred.SimultaneousStep(t, p, o.H), blurred.SimultaneousEigenvaluesClosedForm(o.H), o);
        }
        // continuous dynamics over the same time span, RK4 with 20 sub-steps per h
        int sub = 20;
        var cont = clean.Trajectory((t, p) => clean.ContinuousStep(t, p, o.H / sub), o.Theta0, o.Psi0, o.Steps * sub);
        double r0 = o.Theta0 * o.Theta0 + o.Psi0 * o.Psi0;
        double rEnd = cont.Theta[^1] * cont.Theta[^1] + cont.Psi[^1] * cont.Psi[^1];

        Directory.CreateDirectory(outDir);
        string portrait = Path.Combine(outDir, $"dirac-gan-{o.Loss}-phase-portrait.png");
        string radius = Path.Combine(outDir, $"dirac-gan-{o.Loss}-radius.png");
        string eigen = Path.Combine(outDir, $"dirac-gan-{o.Loss}-eigenvalues.png");
        DrawPortrait(clean, o, [sim, alt, .. noisy is null ? Array.Empty<Scheme>() : [noisy]], cont, portrait);
        var radiusPlot = new LinePlot
        {
            Title = $"Dirac-GAN ({o.Loss}, h = {o.H}): theta^2 + psi^2",
            XLabel = "step",
            YLabel = "theta^2 + psi^2",
            LogY = true,
        };
        double[] steps = Enumerable.Range(0, o.Steps + 1).Select(i => (double)i).ToArray();
        foreach (var s in new[] { sim, alt, noisy }.OfType<Scheme>()) radiusPlot.Add(steps, R2(s.Theta, s.Psi), s.Name);
        radiusPlot.Add(steps, R2(Every(cont.Theta, sub), Every(cont.Psi, sub)), "continuous (RK4)");
        radiusPlot.Save(radius);
        DrawEigenvalues(o, [sim, alt, .. noisy is null ? Array.Empty<Scheme>() : [noisy]], eigen);
        return new Result(o.Loss, o.H, o.Steps, clean.FPrime0, o.Theta0, o.Psi0, sim, alt, noisy, rEnd, (rEnd - r0) / r0, [portrait, radius, eigen]);
    }

    private static Scheme Evaluate(string name, DiracGan gan, Func<double, double, (double Theta, double Psi)> step, Complex[] closed, Options o)
    {
        var (th, ps) = gan.Trajectory((t, p) => step(t, p), o.Theta0, o.Psi0, o.Steps);
        var r2 = R2(th, ps);
        int grew = 0;
        for (int i = 1; i < r2.Length; i++) if (r2[i] > r2[i - 1]) grew++;
        var numerical = Sort(DiracGan.Eigenvalues(DiracGan.JacobianAtEquilibrium(step)));
        var closedSorted = Sort(closed);
        double err = numerical.Zip(closedSorted, (a, b) => Complex.Abs(a - b)).Max();
        return new Scheme(name, gan.Sigma, r2[0], r2[^1], (double)grew / o.Steps, grew == o.Steps,
            numerical.Select(ToEigen).ToArray(), closedSorted.Select(ToEigen).ToArray(), err, th, ps);
    }

    private static Complex[] Sort(Complex[] v) => v.OrderByDescending(c => c.Imaginary).ThenByDescending(c => c.Real).ToArray();

    private static Eigen ToEigen(Complex c) => new(c.Real, c.Imaginary, Complex.Abs(c));

    private static double[] R2(double[] th, double[] ps) => th.Zip(ps, (t, p) => t * t + p * p).ToArray();

    private static double[] Every(double[] x, int k) => x.Where((_, i) => i % k == 0).ToArray();

    private static void DrawPortrait(DiracGan gan, Options o, IReadOnlyList<Scheme> schemes, (double[] Theta, double[] Psi) cont, string path)
    {
        double lim = Math.Max(2, schemes.Max(s => s.Theta.Concat(s.Psi).Select(Math.Abs).Where(double.IsFinite).DefaultIfEmpty(0).Max()) * 1.05);
        lim = Math.Min(lim, 20);
        int n = 15;
        var xs = new List<double>(); var ys = new List<double>(); var us = new List<double>(); var vs = new List<double>();
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double t = -lim + 2 * lim * i / (n - 1), p = -lim + 2 * lim * j / (n - 1);
                var (vt, vp) = gan.Field(t, p);
                xs.Add(t); ys.Add(p); us.Add(vt); vs.Add(vp);
            }
        var plot = new VectorFieldPlot(xs.ToArray(), ys.ToArray(), us.ToArray(), vs.ToArray())
        {
            Title = $"Dirac-GAN phase portrait ({o.Loss}, h = {o.H}, {o.Steps} steps)", XLabel = "theta (generator)", YLabel = "psi (discriminator)",
        }.Build();
        int c = 0;
        foreach (var s in schemes)
        {
            var line = plot.Add.ScatterLine(Clip(s.Theta, lim), Clip(s.Psi, lim), Output.PlotStyle.Palette[c++ % Output.PlotStyle.Palette.Length]);
            line.LegendText = s.Name;
            line.LineWidth = 1.5f;
        }
        var cl = plot.Add.ScatterLine(cont.Theta, cont.Psi, Output.PlotStyle.Palette[c % Output.PlotStyle.Palette.Length]);
        cl.LegendText = "continuous (RK4)";
        cl.LinePattern = LinePattern.Dashed;
        plot.ShowLegend();
        plot.Axes.SetLimits(-lim, lim, -lim, lim);
        Output.PlotStyle.SavePng(plot, path, 700, 650);
    }

    private static double[] Clip(double[] v, double lim) => v.Select(x => Math.Clamp(double.IsFinite(x) ? x : lim, -lim, lim)).ToArray();

    private static void DrawEigenvalues(Options o, IReadOnlyList<Scheme> schemes, string path)
    {
        // zoom on the part of the unit circle where the eigenvalues sit
        var all = schemes.SelectMany(s => s.EigenvaluesNumerical).ToArray();
        double m = Math.Max(all.Max(e => Math.Abs(e.Im)), all.Max(e => Math.Abs(1 - e.Re))) * 1.6 + 0.005;
        double span = Math.Min(Math.PI, 3 * m);
        var circle = Enumerable.Range(0, 4001).Select(i => -span + 2 * span * i / 4000).ToArray();
        var scatter = new ScatterPlot
        {
            Title = $"update-Jacobian eigenvalues at the equilibrium ({o.Loss}, h = {o.H})", XLabel = "Re", YLabel = "Im",
            Limits = (1 - 1.5 * m, 1 + 0.5 * m, -m, m),
        }
            .Add(circle.Select(Math.Cos).ToArray(), circle.Select(Math.Sin).ToArray(), "unit circle", 1);
        foreach (var s in schemes)
            scatter.Add(s.EigenvaluesNumerical.Select(e => e.Re).ToArray(), s.EigenvaluesNumerical.Select(e => e.Im).ToArray(),
                $"{s.Name} (|lambda| = {s.EigenvaluesNumerical[0].Abs:F6})", 9);
        scatter.Save(path);
    }
}
