using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Gan.Losses;

/// <summary>
/// A GAN objective (SPEC §5). Notation: D(x) is the discriminator's logit (or the critic's value),
/// <c>dReal</c> = D(x) on a real batch, <c>dFake</c> = D(G(z)) on a generated batch; both (B).
/// The discriminator minimises <see cref="DiscriminatorLoss"/> (+ <see cref="Penalty"/>), the generator
/// minimises <see cref="GeneratorLoss"/>. Losses are means over the batch.
/// </summary>
public interface IGanLoss
{
    /// <summary>The name used on the command line (<c>--loss</c>).</summary>
    string Name { get; }

    /// <summary>The optimiser settings this objective is trained with by default (the course's / paper's).</summary>
    GanTrainingDefaults Defaults { get; }

    /// <summary>True for Wasserstein critics: mean D(real) - mean D(fake) estimates W1 and is logged.</summary>
    bool IsCritic { get; }

    Tensor DiscriminatorLoss(Tensor dReal, Tensor dFake);

    Tensor GeneratorLoss(Tensor dFake);

    /// <summary>An extra discriminator term that needs the critic itself (WGAN-GP's gradient penalty); null if none.</summary>
    Tensor? Penalty(Func<Tensor, Tensor> critic, Tensor real, Tensor fake, Generator g) => null;

    /// <summary>Runs after every discriminator optimiser step (WGAN's weight clipping).</summary>
    void AfterDiscriminatorStep(nn.Module discriminator) { }
}

/// <summary>Optimiser defaults of an objective: <c>adam</c> (with betas) or <c>rmsprop</c>, learning rate, critic steps per
/// generator step, batch.</summary>
public sealed record GanTrainingDefaults(string Optimizer, double Lr, double Beta1, double Beta2, int NCritic, int Batch);
