namespace GenSharp.Score;

/// <summary>The standard normal CDF Phi in double precision (no dependency; .NET has no erf).</summary>
public static class StandardNormal
{
    /// <summary>Phi(x) = P(Z &lt;= x), Z ~ N(0, 1); relative error about 1e-12 or better on the whole line.</summary>
    public static double Cdf(double x) => x < 0 ? 0.5 * Erfc(-x / Math.Sqrt(2)) : 1 - 0.5 * Erfc(x / Math.Sqrt(2));

    /// <summary>
    /// erfc(x): the Maclaurin series of erf for x &lt; 2 (mild cancellation, about 12 correct digits of
    /// erfc there), and the Lentz continued fraction erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + 1/2/(x + 1/(x + 3/2/(x + ...))))
    /// above, which converges fast there.
    /// </summary>
    public static double Erfc(double x)
    {
        if (x < 0) return 2 - Erfc(-x);
        if (double.IsPositiveInfinity(x)) return 0;
        if (x < 2)
        {
            // erf(x) = 2/sqrt(pi) sum_n (-1)^n x^(2n+1) / (n! (2n+1))
            double term = x, sum = x, x2 = x * x;
            for (int n = 1; n < 200; n++)
            {
                term *= -x2 / n;
                double add = term / (2 * n + 1);
                sum += add;
                if (Math.Abs(add) < 1e-17 * Math.Abs(sum)) break;
            }
            return 1 - 2 / Math.Sqrt(Math.PI) * sum;
        }
        // continued fraction K(a_n / x) with a_n = n / 2, by the modified Lentz method
        const double tiny = 1e-300;
        double f = x, c = x, d = 0;
        for (int n = 1; n < 500; n++)
        {
            double a = n / 2.0;
            d = x + a * d;
            d = Math.Abs(d) < tiny ? tiny : d;
            c = x + a / c;
            c = Math.Abs(c) < tiny ? tiny : c;
            d = 1 / d;
            double delta = c * d;
            f *= delta;
            if (Math.Abs(delta - 1) < 1e-16) break;
        }
        return Math.Exp(-x * x) / Math.Sqrt(Math.PI) / f;
    }
}
