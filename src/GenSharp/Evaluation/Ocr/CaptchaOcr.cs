using GenSharp.Nn;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GenSharp.Evaluation.Ocr;

/// <summary>
/// The CAPTCHA OCR network: (B, 1, 32, 96) in [-1, 1] -> four conv blocks (BatchNorm, ReLU, max-pool after the first three)
/// -> (B, 4w, 4, 12) flattened, so each position head sees where on the line a character sits -> features (B, FeatureDim) =
/// ReLU(BN(Linear)) -> logits (B, Length, |Alphabet|), one softmax per character position. Convolutions run through
/// <see cref="ExactConv2d"/> (DEVELOPERS.md, "oneDNN's small convolutions are wrong on this CPU").
/// </summary>
public sealed class CaptchaOcr : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv1, conv2, conv3, conv4;
    private readonly BatchNorm2d bn1, bn2, bn3, bn4;
    private readonly Linear fc;
    private readonly BatchNorm1d bn;
    private readonly Dropout drop;
    private readonly Linear head;

    public CaptchaOcr(CaptchaOcrConfig config) : base(nameof(CaptchaOcr))
    {
        Config = config;
        int w = config.Width;
        conv1 = nn.Conv2d(1, w, 3, padding: 1);
        bn1 = nn.BatchNorm2d(w);
        conv2 = nn.Conv2d(w, 2 * w, 3, padding: 1);
        bn2 = nn.BatchNorm2d(2 * w);
        conv3 = nn.Conv2d(2 * w, 4 * w, 3, padding: 1);
        bn3 = nn.BatchNorm2d(4 * w);
        conv4 = nn.Conv2d(4 * w, 4 * w, 3, padding: 1);
        bn4 = nn.BatchNorm2d(4 * w);
        fc = nn.Linear(4 * w * 4 * 12, config.FeatureDim);
        bn = nn.BatchNorm1d(config.FeatureDim);
        drop = nn.Dropout(config.Dropout);
        head = nn.Linear(config.FeatureDim, config.Outputs);
        RegisterComponents();
    }

    public CaptchaOcrConfig Config { get; }

    /// <summary>Penultimate-layer features (B, FeatureDim).</summary>
    public Tensor Features(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = nn.functional.max_pool2d(nn.functional.relu(bn1.call(conv1.CallExact(x))), 2);   // (B, w, 16, 48)
        h = nn.functional.max_pool2d(nn.functional.relu(bn2.call(conv2.CallExact(h))), 2);       // (B, 2w, 8, 24)
        h = nn.functional.max_pool2d(nn.functional.relu(bn3.call(conv3.CallExact(h))), 2);       // (B, 4w, 4, 12)
        h = nn.functional.relu(bn4.call(conv4.CallExact(h)));                                     // (B, 4w, 4, 12)
        return nn.functional.relu(bn.call(fc.call(h.flatten(1)))).MoveToOuterDisposeScope();
    }

    /// <summary>Logits (B, Length, |Alphabet|) from features.</summary>
    public Tensor LogitsFromFeatures(Tensor f) => head.call(f).reshape(f.shape[0], Config.Length, Config.Alphabet.Length);

    /// <summary>Logits (B, Length, |Alphabet|).</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return LogitsFromFeatures(drop.call(Features(x))).MoveToOuterDisposeScope();
    }

    /// <summary>The strings read from logits (B, Length, |Alphabet|): the most likely character at each position.</summary>
    public string[] Read(Tensor logits)
    {
        var idx = logits.argmax(2).cpu().data<long>().ToArray();
        int length = Config.Length;
        return Enumerable.Range(0, (int)logits.shape[0])
            .Select(i => new string(Enumerable.Range(0, length).Select(j => Config.Alphabet[(int)idx[i * length + j]]).ToArray())).ToArray();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var m in new nn.Module[] { conv1, conv2, conv3, conv4, bn1, bn2, bn3, bn4, fc, bn, drop, head }) m.Dispose();
        }
        base.Dispose(disposing);
    }
}
