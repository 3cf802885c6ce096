using GenSharp.Diffusion.Images;
using GenSharp.Diffusion.Toy;

namespace GenSharp;

/// <summary>
/// Names to implementations, in one explicit place (nothing registers itself on import). A new model
/// family is one folder (see <see cref="Pipelines.IImageFamily{TConfig, TNet}"/>) plus one line here.
/// </summary>
public static class Registry
{
    private static readonly Dictionary<string, Func<IRunRecipe>> Recipes = new(StringComparer.Ordinal)
    {
        [ToyDdpmConfig.Kind] = () => new ToyDdpmRecipe(),
        [ImageDdpmConfig.Kind] = () => new ImageDdpmRecipe(),
        [Gan.GanConfig.Kind] = () => new Gan.GanRecipe(),
        [Vae.VaeConfig.Kind] = () => new Vae.VaeRecipe(),
        [Score.Images.ImageNcsnConfig.Kind] = () => new Score.Images.ImageNcsnRecipe(),
        [Vdm.VdmConfig.Kind] = () => new Vdm.VdmRecipe(),
        [Vdm.Toy.ToyVdmConfig.Kind] = () => new Vdm.Toy.ToyVdmRecipe(),
        [Latent.LatentDiffusionConfig.Kind] = () => new Latent.LatentDiffusionRecipe(),
    };

    /// <summary>The registered run kinds.</summary>
    public static IReadOnlyCollection<string> RecipeKinds => Recipes.Keys;

    /// <summary>The recipe for a run kind, or a clear error listing the known ones.</summary>
    public static IRunRecipe Recipe(string kind) =>
        Recipes.TryGetValue(kind, out var make)
            ? make()
            : throw new ConfigException($"unknown model kind '{kind}' in config.json; this GenSharp knows: {string.Join(", ", Recipes.Keys)}");
}
