namespace GenSharp.Nn;

/// <summary>
/// The size and arithmetic cost of a <see cref="UNet"/>, counted analytically from its layer shapes (it
/// walks the same structure as the constructor; a test checks that the counted parameters equal the
/// module's). FLOPs count a multiply-add as 2: a k x k convolution Cin -> Cout on an H x W output costs
/// 2 Cin k^2 Cout H W, a Linear 2 in out, attention 2 N^2 C for q^T k and 2 N^2 C for A v (N = H W).
/// Biases, GroupNorm, SiLU, softmax, additions and resampling (elementwise, O(activations)) are not
/// counted. Training = forward + backward with backward = 2 x forward (gradients with respect to
/// activations and to weights each cost one forward), the usual convention.
/// </summary>
public sealed record UNetCost(long Parameters, double ForwardFlopsPerSample)
{
    /// <summary>FLOPs of one training step (forward + backward = 3 x forward) for a batch.</summary>
    public double TrainingFlops(long batch) => 3 * ForwardFlopsPerSample * batch;

    /// <summary>Counts parameters and forward FLOPs for inputs of <see cref="UNetConfig.Height"/> x <see cref="UNetConfig.Width"/>.</summary>
    public static UNetCost Of(UNetConfig config)
    {
        config.Validate();
        var c = new Counter();
        int ch = config.Channels, tdim = config.TimeDim;
        long res = config.Height; // levels are walked by height (as attention names them); every level keeps the aspect
        c.Aspect = (double)config.Width / config.Height;
        c.Linear(ch, tdim);
        c.Linear(tdim, tdim);
        c.Conv(config.InChannels, ch, 3, res);

        var skipWidths = new Stack<int>([ch]);
        int width = ch;
        for (int level = 0; level < config.Levels; level++)
        {
            for (int i = 0; i < config.ResBlocksPerLevel; i++)
            {
                int next = ch * config.Multipliers[level];
                c.ResBlock(width, next, tdim, res);
                width = next;
                if (config.AttentionResolutions.Contains((int)res)) c.Attention(width, res);
                skipWidths.Push(width);
            }
            if (level != config.Levels - 1)
            {
                res /= 2;
                c.Conv(width, width, 3, res); // stride 2: output is res x (Aspect res)
                skipWidths.Push(width);
            }
        }
        c.ResBlock(width, width, tdim, res);
        c.Attention(width, res);
        c.ResBlock(width, width, tdim, res);
        for (int level = config.Levels - 1; level >= 0; level--)
        {
            for (int i = 0; i < config.ResBlocksPerLevel + 1; i++)
            {
                int next = ch * config.Multipliers[level];
                c.ResBlock(width + skipWidths.Pop(), next, tdim, res);
                width = next;
                if (config.AttentionResolutions.Contains((int)res)) c.Attention(width, res);
            }
            if (level != 0)
            {
                res *= 2;
                c.Conv(width, width, 3, res);
            }
        }
        c.GroupNorm(width);
        c.Conv(width, config.InChannels, 3, res);
        return new UNetCost(c.Parameters, c.Flops);
    }

    private sealed class Counter
    {
        public long Parameters;
        public double Flops;
        public double Aspect = 1; // width / height of every feature map

        public void Linear(long input, long output)
        {
            Parameters += input * output + output;
            Flops += 2.0 * input * output;
        }

        /// <summary>A k x k convolution whose output is res x (Aspect res).</summary>
        public void Conv(long cin, long cout, long k, long res)
        {
            Parameters += cin * k * k * cout + cout;
            Flops += 2.0 * cin * k * k * cout * res * res * Aspect;
        }

        public void GroupNorm(long c) => Parameters += 2 * c;

        public void ResBlock(long cin, long cout, long tdim, long res)
        {
            GroupNorm(cin);
            Conv(cin, cout, 3, res);
            Linear(tdim, cout);
            GroupNorm(cout);
            Conv(cout, cout, 3, res);
            if (cin != cout) Conv(cin, cout, 1, res);
        }

        public void Attention(long c, long res)
        {
            double n = res * res * Aspect;
            GroupNorm(c);
            Conv(c, 3 * c, 1, res);
            Flops += 2.0 * 2.0 * n * n * c; // q^T k and A v
            Conv(c, c, 1, res);
        }
    }
}
