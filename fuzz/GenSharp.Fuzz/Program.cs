using GenSharp;
using GenSharp.Data;
using GenSharp.Training;
using SharpFuzz;

namespace GenSharp.Fuzz;

/// <summary>
/// afl++ target: <c>dotnet GenSharp.Fuzz.dll safetensors|idx</c> parses each input afl++ hands over. A clean
/// <see cref="GenSharpException"/> is a refusal (fine); any other exception escapes and afl++ records a crash.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        Action<byte[]> target = args.Length == 1 ? args[0] switch
        {
            "safetensors" => bytes => SafetensorsHeader.Parse("fuzz", bytes, out _, out _),
            "idx" => bytes => IdxReader.Parse("fuzz", bytes),
            _ => null!,
        } : null!;
        if (target is null)
        {
            Console.Error.WriteLine("usage: GenSharp.Fuzz safetensors|idx   (run under afl-fuzz, see fuzz/run.sh)");
            return 2;
        }
        Fuzzer.OutOfProcess.Run(stream =>
        {
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            try { target(buffer.ToArray()); }
            catch (GenSharpException) { }
        });
        return 0;
    }
}
