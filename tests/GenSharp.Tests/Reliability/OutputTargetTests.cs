using GenSharp.Files;
using GenSharp.Training;

namespace GenSharp.Tests.Reliability;

/// <summary>Item 1 of the reliability issue: an output only ever replaces a missing or regular file.</summary>
public sealed class OutputTargetTests
{
    [Fact]
    public void FileKindsTellTheSpecialFilesApart()
    {
        string dir = SpecialFiles.TempDir();
        string file = Path.Combine(dir, "f");
        File.WriteAllText(file, "x");
        Assert.Equal(FileKind.Regular, FileKinds.Of(file));
        Assert.Equal(FileKind.Directory, FileKinds.Of(dir));
        Assert.Equal(FileKind.Fifo, FileKinds.Of(SpecialFiles.Fifo(Path.Combine(dir, "p"))));
        Assert.Equal(FileKind.CharacterDevice, FileKinds.Of("/dev/null"));
        Assert.Equal(FileKind.SymbolicLinkLoop, FileKinds.Of(SpecialFiles.LinkLoop(dir)));
        Assert.Equal(FileKind.Missing, FileKinds.Of(Path.Combine(dir, "none")));
        Assert.Equal(FileKind.Missing, FileKinds.Of(Path.Combine(file, "under-a-file")));
        string link = Path.Combine(dir, "link");
        File.CreateSymbolicLink(link, file);
        Assert.Equal(FileKind.SymbolicLink, FileKinds.Of(link, followLinks: false));
        Assert.Equal(FileKind.Regular, FileKinds.Of(link));
    }

    [Fact]
    public void AtomicWriteNeverReplacesAFifoFolderOrLinkAndLeavesNoTempFile()
    {
        string dir = SpecialFiles.TempDir();
        string fifo = SpecialFiles.Fifo(Path.Combine(dir, "fifo"));
        string folder = Directory.CreateDirectory(Path.Combine(dir, "folder")).FullName;
        string target = Path.Combine(dir, "target");
        File.WriteAllText(target, "keep");
        string link = Path.Combine(dir, "link");
        File.CreateSymbolicLink(link, target);
        foreach (string path in new[] { fifo, folder, link })
        {
            var e = Assert.Throws<ConfigException>(() => AtomicFile.WriteAllText(path, "new"));
            Assert.Contains("only writes new or regular files", e.Message);
        }
        Assert.Equal(FileKind.Fifo, FileKinds.Of(fifo));
        Assert.Equal(FileKind.SymbolicLink, FileKinds.Of(link, followLinks: false));
        Assert.Equal("keep", File.ReadAllText(target));
        Assert.Empty(SpecialFiles.Leftovers(dir));
    }

    [Fact]
    public void AFailingWriterLeavesNeitherTempFileNorPartialFolder()
    {
        string dir = SpecialFiles.TempDir();
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(Path.Combine(dir, "x.bin"), _ => throw new InvalidOperationException()));
        using var images = TorchSharp.torch.zeros(2, 1, 4, 4);
        string fifo = SpecialFiles.Fifo(Path.Combine(dir, "as-folder"));
        Assert.Throws<ConfigException>(() => GenSharp.Data.PngFolder.Write(images, fifo));
        Assert.Empty(SpecialFiles.Leftovers(dir));
        Assert.False(File.Exists(Path.Combine(dir, "x.bin")));
    }

    [Fact]
    public void TheFigureBesideACsvNeverSharesItsPath()
    {
        Assert.Equal("a/x.png", GenSharp.Output.CompanionPath.Png("a/x.csv"));
        Assert.Equal("a/x.png.png", GenSharp.Output.CompanionPath.Png("a/x.png"));
        Assert.Equal("a/x.png", GenSharp.Output.CompanionPath.Png("a/x/"));
    }
}
