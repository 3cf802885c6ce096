using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Nn;

/// <summary>
/// Dropout (inverted: kept units scaled by 1/(1-p)) whose mask is drawn in parallel from a counter-based
/// generator, on the CPU. libtorch's CPU dropout draws its Bernoulli mask one element at a time from a single
/// Mersenne twister (<c>bernoulli_</c> is a serial kernel): ~5 % of the reference U-Net's training step on one
/// thread, and the other thread idles meanwhile.
///
/// The mask: element k of a call keeps its value when the 32-bit uniform U_k = bits(hash(seed, k / 2)) (upper or
/// lower half) is at least p 2^32, so P(keep) = 1 - p up to 2^-32; hash is SplitMix64's finaliser of the counter
/// offset by the call's seed, and the seed is drawn from torch's default generator, so <c>manual_seed</c> makes
/// masks reproducible and every call gets a fresh one. y = x * m with m in {0, 1/(1-p)} is an ordinary tensor
/// product, so autograd gives dL/dx = m dL/dy, exactly like <c>nn.Dropout</c>.
///
/// Other devices and dtypes than float32/bfloat16 on the CPU use <c>nn.functional.dropout</c>.
/// </summary>
public sealed class HashDropout : nn.Module<Tensor, Tensor>
{
    public HashDropout(double p) : base(nameof(HashDropout))
    {
        if (!(p >= 0 && p < 1)) throw new ArgumentOutOfRangeException(nameof(p), p, "dropout probability must be in [0, 1)");
        P = p;
    }

    public double P { get; }

    public override Tensor forward(Tensor x)
    {
        if (!training || P == 0) return x.alias();
        if (x.device_type != DeviceType.CPU || (x.dtype != ScalarType.Float32 && x.dtype != ScalarType.BFloat16))
            return nn.functional.dropout(x, P, training: true);
        using var scope = NewDisposeScope();
        var mask = Mask(x.shape, x.dtype, P, NextSeed());
        return (x * mask).MoveToOuterDisposeScope();
    }

    /// <summary>A fresh 64-bit seed from torch's default CPU generator.</summary>
    private static ulong NextSeed()
    {
        using var r = randint(long.MinValue, long.MaxValue, [1], dtype: ScalarType.Int64);
        return unchecked((ulong)r.item<long>());
    }

    /// <summary>The mask m (values 0 or 1/(1-p)) of <paramref name="shape"/> for <paramref name="seed"/>.</summary>
    public static Tensor Mask(long[] shape, ScalarType dtype, double p, ulong seed)
    {
        var mask = empty(shape, dtype: dtype);
        long n = mask.numel();
        if (n == 0) return mask;
        uint threshold = (uint)Math.Min(uint.MaxValue, Math.Round(p * 4294967296.0));
        float scale = (float)(1.0 / (1.0 - p));
        IntPtr data = THSTensor_data(mask.Handle);
        if (data == IntPtr.Zero) throw new InvalidOperationException("HashDropout: no data pointer for the mask tensor");
        // Chunks of an even number of elements, so that pairs (one 64-bit hash) never straddle two chunks.
        const long chunk = 1 << 16;
        long chunks = (n + chunk - 1) / chunk;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, get_num_threads()) };
        if (dtype == ScalarType.Float32)
            Parallel.For(0, chunks, parallel, c => FillFloat(data, c * chunk, Math.Min(n, (c + 1) * chunk), seed, threshold, scale));
        else
            Parallel.For(0, chunks, parallel, c => FillBFloat16(data, c * chunk, Math.Min(n, (c + 1) * chunk), seed,
                threshold, BFloat16Bits(scale)));
        return mask;
    }

    private static unsafe void FillFloat(IntPtr data, long from, long to, ulong seed, uint threshold, float scale)
    {
        float* m = (float*)data;
        long k = from;
        if (Vector512.IsHardwareAccelerated)
        {
            // 8 hashes -> 16 uint halves in element order (low half = even element, high half = odd element).
            var counter = Vector512.Create(0UL, 1, 2, 3, 4, 5, 6, 7) + Vector512.Create(seed + (ulong)(k >> 1));
            var step = Vector512.Create(8UL);
            var thr = Vector512.Create(threshold);
            var keep = Vector512.Create(scale);
            for (; k + 16 <= to; k += 16, counter += step)
            {
                var u = Hash(counter).AsUInt32();
                Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(u, thr).AsSingle(), keep, Vector512<float>.Zero).Store(m + k);
            }
        }
        for (; k < to; k += 2)
        {
            ulong h = Hash(seed + (ulong)(k >> 1));
            m[k] = (uint)h >= threshold ? scale : 0f;
            if (k + 1 < to) m[k + 1] = (uint)(h >> 32) >= threshold ? scale : 0f;
        }
    }

    private static unsafe void FillBFloat16(IntPtr data, long from, long to, ulong seed, uint threshold, ushort scale)
    {
        ushort* m = (ushort*)data;
        for (long k = from; k < to; k += 2)
        {
            ulong h = Hash(seed + (ulong)(k >> 1));
            m[k] = (uint)h >= threshold ? scale : (ushort)0;
            if (k + 1 < to) m[k + 1] = (uint)(h >> 32) >= threshold ? scale : (ushort)0;
        }
    }

    /// <summary><see cref="Hash(ulong)"/> on 8 counters at once.</summary>
    private static Vector512<ulong> Hash(Vector512<ulong> z)
    {
        z += Vector512.Create(0x9E3779B97F4A7C15UL);
        z = (z ^ Vector512.ShiftRightLogical(z, 30)) * Vector512.Create(0xBF58476D1CE4E5B9UL);
        z = (z ^ Vector512.ShiftRightLogical(z, 27)) * Vector512.Create(0x94D049BB133111EBUL);
        return z ^ Vector512.ShiftRightLogical(z, 31);
    }

    /// <summary>SplitMix64's output function of a counter (a bijection of 64-bit words with good avalanche).</summary>
    private static ulong Hash(ulong z)
    {
        unchecked
        {
            z += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }

    /// <summary>bfloat16 bits of a float, rounded to nearest even (as torch converts).</summary>
    private static ushort BFloat16Bits(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        bits += 0x7FFF + ((bits >> 16) & 1);
        return (ushort)(bits >> 16);
    }

    [DllImport("LibTorchSharp")]
    private static extern IntPtr THSTensor_data(IntPtr tensor);
}
