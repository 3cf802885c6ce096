using static TorchSharp.torch;

namespace GenSharp.Nn;

/// <summary>
/// Calls a row-wise network on a large batch a block of rows at a time, so sampling a million 2D points holds the network's
/// activations for one block (65,536 x hidden) instead of for every row. Batches up to one block are passed through
/// unchanged (so results for them are bit-for-bit what a single call gives).
/// </summary>
internal static class RowChunks
{
    public const int DefaultRows = 65_536;

    /// <summary><c>f(x, t)</c> in blocks of <paramref name="rows"/> rows of x (and of t, when t has one entry per row).</summary>
    public static Tensor Apply(Func<Tensor, Tensor, Tensor> f, Tensor x, Tensor t, int rows = DefaultRows)
    {
        long n = x.shape[0];
        if (n <= rows) return f(x, t);
        bool perRow = t.dim() > 0 && t.shape[0] == n;
        var parts = new List<Tensor>();
        try
        {
            for (long start = 0; start < n; start += rows)
            {
                long len = Math.Min(rows, n - start);
                using var scope = NewDisposeScope();
                var part = f(x.narrow(0, start, len), perRow ? t.narrow(0, start, len) : t);
                parts.Add(part.MoveToOuterDisposeScope());
            }
            return cat(parts, 0);
        }
        finally
        {
            foreach (var p in parts) p.Dispose();
        }
    }
}
