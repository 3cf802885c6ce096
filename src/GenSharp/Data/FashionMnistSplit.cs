namespace GenSharp.Data;

/// <summary>Fashion-MNIST's two splits: 60,000 training and 10,000 test images.</summary>
public enum FashionMnistSplit
{
    Train,
    Test,
}
