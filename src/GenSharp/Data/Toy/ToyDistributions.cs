namespace GenSharp.Data.Toy;

/// <summary>
/// The built-in 2D toys. Every one is a Gaussian mixture, so its log-density and score are exact for
/// exactly the distribution that is sampled; the curve-shaped ones (rings, moons, swiss roll) place many
/// small isotropic components uniformly in arc length along the curve (a curve blurred by noise).
/// </summary>
public static class ToyDistributions
{
    /// <summary>
    /// The two-Gaussian mixture with unequal weights of the course (docs/data.md#toy-distributions). The seed's report plots it
    /// on [-15, 15]^2 with a 200x200 heat-map but does not print its parameters, so these are GenSharp's
    /// documented choice: weights (0.7, 0.3), means (5, 5) and (-5, -5), covariances
    /// [[2.0, 0.8], [0.8, 1.5]] and [[1.5, -0.6], [-0.6, 2.5]].
    /// </summary>
    public static GaussianMixture2D Mog2() => new("mog2",
        [0.7, 0.3],
        [[5, 5], [-5, -5]],
        [[[2.0, 0.8], [0.8, 1.5]], [[1.5, -0.6], [-0.6, 2.5]]]);

    /// <summary>Eight equal-weight isotropic Gaussians (std 0.5) evenly spaced on a circle of radius 4.</summary>
    public static GaussianMixture2D EightGaussians()
    {
        const int k = 8;
        var means = Enumerable.Range(0, k).Select(i => new[] { 4 * Math.Cos(2 * Math.PI * i / k), 4 * Math.Sin(2 * Math.PI * i / k) }).ToArray();
        return Isotropic("8gaussians", means, Enumerable.Repeat(1.0 / k, k).ToArray(), 0.5);
    }

    /// <summary>Two concentric rings, radii 2 and 4, mass proportional to length, blurred by std 0.2 (240 components).</summary>
    public static GaussianMixture2D Rings()
    {
        var means = new List<double[]>();
        var weights = new List<double>();
        foreach (var (radius, count) in new[] { (2.0, 80), (4.0, 160) })
            for (int i = 0; i < count; i++)
            {
                double a = 2 * Math.PI * i / count;
                means.Add([radius * Math.Cos(a), radius * Math.Sin(a)]);
                weights.Add(1.0 / 240);
            }
        return Isotropic("rings", [.. means], [.. weights], 0.2);
    }

    /// <summary>Two interleaved half-circles of radius 2.5 ("two moons"), blurred by std 0.25 (2 x 100 components).</summary>
    public static GaussianMixture2D TwoMoons()
    {
        const int per = 100;
        const double r = 2.5;
        var means = new List<double[]>();
        for (int i = 0; i < per; i++)
        {
            double a = Math.PI * i / (per - 1);
            means.Add([r * Math.Cos(a) - r / 2, r * Math.Sin(a) - r / 4]);           // upper moon
            means.Add([r - r * Math.Cos(a) - r / 2, -r * Math.Sin(a) + r / 4]);      // lower moon, shifted
        }
        return Isotropic("moons", [.. means], Enumerable.Repeat(1.0 / (2 * per), 2 * per).ToArray(), 0.25);
    }

    /// <summary>A swiss-roll spiral r = 0.4 theta, theta in [1.5 pi, 4.5 pi], uniform in arc length, blurred by std 0.25 (300 components).</summary>
    public static GaussianMixture2D SwissRoll()
    {
        const int count = 300;
        double Radius(double theta) => 0.4 * theta;
        // arc length of r = c theta: s(theta) = c/2 (theta sqrt(1+theta^2) + asinh(theta)); invert numerically
        double Arc(double theta) => 0.2 * (theta * Math.Sqrt(1 + theta * theta) + Math.Asinh(theta));
        double t0 = 1.5 * Math.PI, t1 = 4.5 * Math.PI, s0 = Arc(t0), s1 = Arc(t1);
        var means = new double[count][];
        for (int i = 0; i < count; i++)
        {
            double target = s0 + (s1 - s0) * (i + 0.5) / count, lo = t0, hi = t1;
            for (int it = 0; it < 60; it++) { double mid = 0.5 * (lo + hi); if (Arc(mid) < target) lo = mid; else hi = mid; }
            double theta = 0.5 * (lo + hi);
            means[i] = [Radius(theta) * Math.Cos(theta), Radius(theta) * Math.Sin(theta)];
        }
        return Isotropic("swissroll", means, Enumerable.Repeat(1.0 / count, count).ToArray(), 0.25);
    }

    private static GaussianMixture2D Isotropic(string name, double[][] means, double[] weights, double std)
    {
        double v = std * std;
        var covs = means.Select(_ => new[] { new[] { v, 0.0 }, new[] { 0.0, v } }).ToArray();
        return new GaussianMixture2D(name, weights, means, covs);
    }
}
