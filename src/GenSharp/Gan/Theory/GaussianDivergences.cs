namespace GenSharp.Gan.Theory;

/// <summary>
/// KL, Jensen-Shannon and Wasserstein-1 between P = N(theta, e^2) and Q = N(theta0, e^2) (docs/gans.md#divergences), both
/// in closed form and by direct numerical quadrature of their definitions. With Delta = theta - theta0:
/// KL(P||Q) = Delta^2 / (2 e^2) (gradient Delta / e^2: explodes as e -> 0);
/// W1 = |Delta| (gradient sign(Delta), whatever e);
/// JS depends only on d = |Delta| / e: JS = log 2 - E_{x~N(0,1)}[softplus(d x - d^2 / 2)], a one-dimensional
/// integral evaluated by Gauss-Hermite quadrature; JS -> log 2 and its gradient -> 0 as e -> 0.
/// The numerical versions integrate p log(p/q), the mixture form of JS and |F_P - F_Q| on a grid that
/// resolves e (trapezoid rule, log-densities computed exactly so that nothing underflows).
/// </summary>
public static class GaussianDivergences
{
    private static readonly GaussHermite Quadrature = new(200);

    public static double KlClosed(double theta, double theta0, double e) => (theta - theta0) * (theta - theta0) / (2 * e * e);
    public static double KlGradientClosed(double theta, double theta0, double e) => (theta - theta0) / (e * e);
    public static double W1Closed(double theta, double theta0) => Math.Abs(theta - theta0);
    public static double W1GradientClosed(double theta, double theta0) => Math.Sign(theta - theta0);

    /// <summary>JS as the reduced one-dimensional integral (Gauss-Hermite, 200 nodes).</summary>
    public static double JsReduced(double theta, double theta0, double e)
    {
        double d = Math.Abs(theta - theta0) / e;
        return Math.Log(2) - Quadrature.Expect(x => Softplus(d * x - d * d / 2));
    }

    /// <summary>dJS/dtheta from the reduced integral: sign(Delta)/e * dJS/dd, dJS/dd = -E[sigmoid(d x - d^2/2) (x - d)].</summary>
    public static double JsGradientReduced(double theta, double theta0, double e)
    {
        double d = Math.Abs(theta - theta0) / e;
        double dd = -Quadrature.Expect(x => Sigmoid(d * x - d * d / 2) * (x - d));
        return Math.Sign(theta - theta0) / e * dd;
    }

    /// <summary>KL, JS and W1 by quadrature of their definitions.</summary>
    public static (double Kl, double Js, double W1) Numerical(double theta, double theta0, double e)
    {
        double lo = Math.Min(theta, theta0) - 12 * e, hi = Math.Max(theta, theta0) + 12 * e;
        int n = (int)Math.Min(4_000_000, Math.Ceiling((hi - lo) / (e / 40))) + 1;
        double dx = (hi - lo) / (n - 1);
        double kl = 0, js = 0, w1 = 0, fp = 0, fq = 0;
        double prevP = 0, prevQ = 0, prevKl = 0, prevJs = 0, prevW = 0;
        double logNorm = -0.5 * Math.Log(2 * Math.PI) - Math.Log(e);
        for (int i = 0; i < n; i++)
        {
            double x = lo + i * dx;
            double lp = logNorm - (x - theta) * (x - theta) / (2 * e * e);
            double lq = logNorm - (x - theta0) * (x - theta0) / (2 * e * e);
            double p = Math.Exp(lp), q = Math.Exp(lq);
            double lm = LogSumExp(lp, lq) - Math.Log(2);
            double klI = p * (lp - lq);
            double jsI = 0.5 * (p * (lp - lm) + q * (lq - lm));
            if (i > 0)
            {
                fp += 0.5 * (p + prevP) * dx;
                fq += 0.5 * (q + prevQ) * dx;
                kl += 0.5 * (klI + prevKl) * dx;
                js += 0.5 * (jsI + prevJs) * dx;
            }
            double wI = Math.Abs(fp - fq);
            if (i > 0) w1 += 0.5 * (wI + prevW) * dx;
            (prevP, prevQ, prevKl, prevJs, prevW) = (p, q, klI, jsI, wI);
        }
        return (kl, js, w1);
    }

    /// <summary>Central-difference gradients in theta of the numerical divergences.</summary>
    public static (double Kl, double Js, double W1) NumericalGradient(double theta, double theta0, double e)
    {
        double h = 1e-3 * e;
        var plus = Numerical(theta + h, theta0, e);
        var minus = Numerical(theta - h, theta0, e);
        return ((plus.Kl - minus.Kl) / (2 * h), (plus.Js - minus.Js) / (2 * h), (plus.W1 - minus.W1) / (2 * h));
    }

    private static double Softplus(double t) => t > 30 ? t : Log1P(Math.Exp(t));
    private static double Sigmoid(double t) => t >= 0 ? 1 / (1 + Math.Exp(-t)) : Math.Exp(t) / (1 + Math.Exp(t));
    private static double LogSumExp(double a, double b) => Math.Max(a, b) + Log1P(Math.Exp(-Math.Abs(a - b)));

    /// <summary>log(1 + x), accurate for small x.</summary>
    private static double Log1P(double x) => Math.Abs(x) < 1e-4 ? x - x * x / 2 + x * x * x / 3 : Math.Log(1 + x);
}
