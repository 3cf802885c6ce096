using CsCheck;

namespace GenSharp.Tests.Reliability;

/// <summary>
/// Mutated copies of a valid file, as CsCheck generators: 1-6 edits, each a bit flip, an "interesting" byte (0, 0xFF,
/// 0x7F, 0x80, '0'-'9', ',', '"', '[', '{'), an insertion, a deletion, a truncation or a duplicated range. CsCheck shrinks a
/// failing case to the smallest edit list that still fails.
/// </summary>
internal static class Mutations
{
    private static readonly byte[] Interesting = [0, 0xFF, 0x7F, 0x80, (byte)'0', (byte)'9', (byte)',', (byte)'"', (byte)'[', (byte)'{', (byte)'-'];

    private record Edit(int Kind, double Where, double Length, byte Value);

    private static readonly Gen<Edit> AnEdit = Gen.Select(Gen.Int[0, 6], Gen.Double[0, 1], Gen.Double[0, 1], Gen.Byte,
        (k, w, l, v) => new Edit(k, w, l, v));

    /// <summary>Mutants of <paramref name="seed"/>.</summary>
    public static Gen<byte[]> Of(byte[] seed) => AnEdit.Array[1, 6].Select(edits => Apply(seed, edits));

    private static byte[] Apply(byte[] seed, Edit[] edits)
    {
        var b = seed.ToList();
        foreach (var e in edits)
        {
            int at = Math.Min(b.Count, (int)(e.Where * b.Count));
            int len = 1 + (int)(e.Length * Math.Min(16, Math.Max(1, b.Count - at)));
            switch (e.Kind)
            {
                case 0 when at < b.Count: b[at] ^= (byte)(1 << (e.Value & 7)); break;
                case 1 when at < b.Count: b[at] = Interesting[e.Value % Interesting.Length]; break;
                case 2: b.Insert(at, e.Value); break;
                case 3 when at < b.Count: b.RemoveRange(at, Math.Min(len, b.Count - at)); break;
                case 4: b.RemoveRange(at, b.Count - at); break;
                case 5 when at < b.Count: b.InsertRange(at, b.GetRange(at, Math.Min(len, b.Count - at))); break;
                case 6 when at < b.Count: b[at] = e.Value; break;
            }
        }
        return b.ToArray();
    }
}
