namespace GenSharp.Diffusion.Images;
