using System.Numerics;

namespace GenSharp.Gan.Theory;

/// <summary>
/// The Dirac-GAN (Mescheder et al. 2018; docs/gans.md#dirac-gan): data delta(0), generator delta(x - theta),
/// discriminator D(x) = psi x (a logit, or a critic value for WGAN). With instance noise sigma both the
/// real and the fake point are blurred by N(0, sigma^2), and the losses are expectations over it
/// (computed exactly enough by Gauss-Hermite quadrature).
/// Losses (the discriminator minimises L_D over psi, the generator L_G over theta):
///   ns:      L_D = E softplus(-psi e1) + E softplus(psi (theta + e2)),  L_G = E softplus(-psi (theta + e))
///   minimax: the same L_D,                                             L_G = -E softplus(psi (theta + e))
///   wgan:    L_D = psi theta,                                          L_G = -psi theta
/// The gradient vector field is v(theta, psi) = (-dL_G/dtheta, -dL_D/dpsi). Near (0, 0) it is linear
/// with Jacobian J = [[0, f'(0)], [-f'(0), -d]], f'(0) = 1/2 (ns, minimax) or 1 (wgan), and
/// d = sigma^2 / 2 (ns, minimax) or 0 (wgan): instance noise adds damping only to the logistic losses.
/// Simultaneous gradient descent x &lt;- x + h v(x) has update Jacobian I + hJ with |eigenvalues|^2 = 1 + h^2 f'(0)^2 - h d;
/// alternating descent (generator first, then the discriminator at the new theta) has trace 2 - h d - (h f'(0))^2
/// and determinant 1 - h d, so without noise its eigenvalues 1 - (h f'(0))^2/2 +- sqrt((1 - (h f'(0))^2/2)^2 - 1)
/// lie on the unit circle.
/// </summary>
public sealed class DiracGan
{
    public static readonly string[] Losses = ["ns", "minimax", "wgan"];

    private readonly GaussHermite _quadrature = new(40);

    public DiracGan(string loss, double instanceNoise = 0)
    {
        if (!Losses.Contains(loss)) throw new ConfigException($"--loss {loss}: the Dirac-GAN lab knows {string.Join(", ", Losses)}");
        if (!(instanceNoise >= 0) || double.IsInfinity(instanceNoise)) throw new ConfigException($"--instance-noise {instanceNoise}: must be >= 0");
        Loss = loss;
        Sigma = instanceNoise;
    }

    public string Loss { get; }
    public double Sigma { get; }

    /// <summary>f'(0): 1/2 for the logistic losses, 1 for WGAN.</summary>
    public double FPrime0 => Loss == "wgan" ? 1.0 : 0.5;

    /// <summary>The damping d that instance noise adds at the equilibrium: sigma^2 / 2 for ns and minimax, 0 for WGAN.</summary>
    public double Damping => Loss == "wgan" ? 0 : Sigma * Sigma / 2;

    private static double Sigmoid(double t) => t >= 0 ? 1 / (1 + Math.Exp(-t)) : Math.Exp(t) / (1 + Math.Exp(t));

    /// <summary>dL_D/dpsi.</summary>
    public double DiscriminatorGradient(double theta, double psi)
    {
        if (Loss == "wgan") return theta;
        double s = Sigma;
        // d/dpsi softplus(-psi e1) = -sigmoid(-psi e1) e1;  d/dpsi softplus(psi (theta + e2)) = sigmoid(psi (theta + e2)) (theta + e2)
        return _quadrature.Expect(e => -Sigmoid(-psi * s * e) * s * e)
             + _quadrature.Expect(e => Sigmoid(psi * (theta + s * e)) * (theta + s * e));
    }

    /// <summary>dL_G/dtheta.</summary>
    public double GeneratorGradient(double theta, double psi) => Loss switch
    {
        "wgan" => -psi,
        "ns" => -psi * _quadrature.Expect(e => Sigmoid(-psi * (theta + Sigma * e))),
        _ => -psi * _quadrature.Expect(e => Sigmoid(psi * (theta + Sigma * e))),
    };

    /// <summary>The vector field v = (-dL_G/dtheta, -dL_D/dpsi).</summary>
    public (double Theta, double Psi) Field(double theta, double psi) => (-GeneratorGradient(theta, psi), -DiscriminatorGradient(theta, psi));

    /// <summary>One step of simultaneous gradient descent.</summary>
    public (double Theta, double Psi) SimultaneousStep(double theta, double psi, double h)
    {
        var (vt, vp) = Field(theta, psi);
        return (theta + h * vt, psi + h * vp);
    }

    /// <summary>One step of alternating gradient descent: the generator first, then the discriminator at the new theta.</summary>
    public (double Theta, double Psi) AlternatingStep(double theta, double psi, double h)
    {
        double t = theta - h * GeneratorGradient(theta, psi);
        return (t, psi - h * DiscriminatorGradient(t, psi));
    }

    /// <summary>One classical Runge-Kutta step of the continuous dynamics (for the conservation check).</summary>
    public (double Theta, double Psi) ContinuousStep(double theta, double psi, double dt)
    {
        var k1 = Field(theta, psi);
        var k2 = Field(theta + dt / 2 * k1.Theta, psi + dt / 2 * k1.Psi);
        var k3 = Field(theta + dt / 2 * k2.Theta, psi + dt / 2 * k2.Psi);
        var k4 = Field(theta + dt * k3.Theta, psi + dt * k3.Psi);
        return (theta + dt / 6 * (k1.Theta + 2 * k2.Theta + 2 * k3.Theta + k4.Theta),
                psi + dt / 6 * (k1.Psi + 2 * k2.Psi + 2 * k3.Psi + k4.Psi));
    }

    /// <summary>The trajectory (steps + 1 points) of an update rule from (theta0, psi0).</summary>
    public (double[] Theta, double[] Psi) Trajectory(Func<double, double, (double, double)> step, double theta0, double psi0, int steps)
    {
        var th = new double[steps + 1];
        var ps = new double[steps + 1];
        (th[0], ps[0]) = (theta0, psi0);
        for (int i = 0; i < steps; i++) (th[i + 1], ps[i + 1]) = step(th[i], ps[i]);
        return (th, ps);
    }

    /// <summary>The 2x2 Jacobian of an update map at (0, 0) by central differences.</summary>
    public static double[,] JacobianAtEquilibrium(Func<double, double, (double Theta, double Psi)> map, double delta = 1e-5)
    {
        var j = new double[2, 2];
        var (tp, pp) = map(delta, 0);
        var (tm, pm) = map(-delta, 0);
        j[0, 0] = (tp - tm) / (2 * delta);
        j[1, 0] = (pp - pm) / (2 * delta);
        (tp, pp) = map(0, delta);
        (tm, pm) = map(0, -delta);
        j[0, 1] = (tp - tm) / (2 * delta);
        j[1, 1] = (pp - pm) / (2 * delta);
        return j;
    }

    /// <summary>Eigenvalues of a real 2x2 matrix (from its trace and determinant).</summary>
    public static Complex[] Eigenvalues(double[,] m)
    {
        double tr = m[0, 0] + m[1, 1], det = m[0, 0] * m[1, 1] - m[0, 1] * m[1, 0];
        var disc = Complex.Sqrt(tr * tr / 4 - det);
        return [tr / 2 + disc, tr / 2 - disc];
    }

    /// <summary>Closed-form eigenvalues of the simultaneous update at the equilibrium: 1 + h (-d +- sqrt(d^2 - 4 f'(0)^2)) / 2.</summary>
    public Complex[] SimultaneousEigenvaluesClosedForm(double h)
    {
        double a = FPrime0, d = Damping;
        var disc = Complex.Sqrt(d * d - 4 * a * a);
        return [1 + h * (-d + disc) / 2, 1 + h * (-d - disc) / 2];
    }

    /// <summary>
    /// Closed-form eigenvalues of the alternating update at the equilibrium: tr/2 +- sqrt(tr^2/4 - det) with
    /// tr = 2 - h d - (h f'(0))^2 and det = 1 - h d; without noise, 1 - (h f'(0))^2/2 +- sqrt((1 - (h f'(0))^2/2)^2 - 1).
    /// </summary>
    public Complex[] AlternatingEigenvaluesClosedForm(double h)
    {
        double a = h * FPrime0, tr = 2 - h * Damping - a * a, det = 1 - h * Damping;
        var disc = Complex.Sqrt(tr * tr / 4 - det);
        return [tr / 2 + disc, tr / 2 - disc];
    }
}
