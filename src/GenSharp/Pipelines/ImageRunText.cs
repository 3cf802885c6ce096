namespace GenSharp.Pipelines;

/// <summary>The words a family puts into the report shell the pipeline writes.</summary>
/// <param name="Name">The family's name in the title, e.g. <c>DDPM</c>.</param>
/// <param name="Introduction">The opening paragraph: what the model is and how it was trained.</param>
/// <param name="LossTitle">Title of the training-loss plot.</param>
/// <param name="LossLegend">Legend of the loss series.</param>
/// <param name="LossCaption">Caption under the loss plot.</param>
public sealed record ImageRunText(string Name, string Introduction, string LossTitle, string LossLegend, string LossCaption);
