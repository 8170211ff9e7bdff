using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace Lathe.Bundles;

/// <summary>Weights in the safetensors layout: an 8-byte little-endian header length, a JSON header of
/// name → {dtype, shape, data_offsets}, then the raw little-endian data. Inert by construction: reading
/// it runs no code. Reading enforces safetensors' own rules (header size, contiguous offsets with no
/// gaps or overlaps, sizes that match shapes without overflow).</summary>
public static class SafeTensors
{
    private const long MaxHeaderBytes = 100_000_000;

    public static byte[] Write(IReadOnlyDictionary<string, Tensor> tensors)
    {
        var header = new JsonObject();
        var blobs = new List<byte[]>();
        long offset = 0;
        foreach (var (name, tensor) in tensors.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var (dtype, _) = DType(tensor.dtype, name);
            // contiguous() and cpu() may make new tensors; the scope frees them at once rather than at a GC.
            using var scope = NewDisposeScope();
            var bytes = tensor.contiguous().cpu().bytes.ToArray();
            header[name] = new JsonObject
            {
                ["dtype"] = dtype,
                ["shape"] = new JsonArray(tensor.shape.Select(d => (JsonNode)d).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + bytes.Length),
            };
            blobs.Add(bytes);
            offset += bytes.Length;
        }
        var json = JsonSerializer.SerializeToUtf8Bytes(header);
        // Pad the header with spaces so the data starts 8-byte aligned, as the format recommends.
        var padded = (json.Length + 7) / 8 * 8;
        var file = new byte[8 + padded + offset];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)padded);
        json.CopyTo(file, 8);
        file.AsSpan(8 + json.Length, padded - json.Length).Fill((byte)' ');
        var at = 8 + padded;
        foreach (var blob in blobs)
        {
            blob.CopyTo(file, at);
            at += blob.Length;
        }
        return file;
    }

    /// <summary>Reads and validates every tensor; the caller owns (and disposes) them.</summary>
    public static Dictionary<string, Tensor> Read(byte[] file, string entry)
    {
        BundleFormatException Bad(string why) => new($"entry '{entry}': {why}");
        if (file.Length < 8) throw Bad("too short to hold a safetensors header");
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(file);
        if (headerLength > MaxHeaderBytes) throw Bad($"header declares {headerLength} bytes, more than the {MaxHeaderBytes} allowed");
        if ((long)headerLength > file.Length - 8) throw Bad("header runs past the end of the entry");

        JsonObject header;
        try
        {
            header = JsonNode.Parse(file.AsSpan(8, (int)headerLength)) as JsonObject ?? throw Bad("header is not a JSON object");
        }
        catch (JsonException e)
        {
            throw Bad($"header is not valid JSON ({e.Message.Split(" Path:")[0]})");
        }

        var dataStart = 8 + (long)headerLength;
        var dataLength = file.Length - dataStart;
        var spans = new List<(string Name, string DType, long[] Shape, long Begin, long End)>();
        foreach (var (name, node) in header)
        {
            if (name == "__metadata__") continue;
            try
            {
                var info = node!.AsObject();
                var dtype = info["dtype"]!.GetValue<string>();
                var shape = info["shape"]!.AsArray().Select(d => d!.GetValue<long>()).ToArray();
                var offsets = info["data_offsets"]!.AsArray().Select(o => o!.GetValue<long>()).ToArray();
                if (offsets.Length != 2) throw Bad($"tensor '{name}' needs two data offsets");
                spans.Add((name, dtype, shape, offsets[0], offsets[1]));
            }
            catch (Exception e) when (e is InvalidOperationException or NullReferenceException or FormatException)
            {
                throw Bad($"tensor '{name}' has a malformed description (dtype, shape, data_offsets)");
            }
        }

        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            long expected = 0;
            foreach (var (name, dtype, shape, begin, end) in spans.OrderBy(s => s.Begin).ThenBy(s => s.End))
            {
                if (begin != expected || end < begin) throw Bad($"tensor '{name}' has offsets [{begin}, {end}] that overlap or leave a gap");
                var size = ElementSize(dtype) ?? throw Bad($"tensor '{name}' has unsupported dtype '{dtype}'");
                long elements = 1;
                try
                {
                    foreach (var d in shape)
                    {
                        if (d < 0) throw Bad($"tensor '{name}' has a negative dimension");
                        elements = checked(elements * d);
                    }
                    if (checked(elements * size) != end - begin) throw Bad($"tensor '{name}' is {end - begin} bytes but its shape needs {elements * size}");
                }
                catch (OverflowException)
                {
                    throw Bad($"tensor '{name}' declares a shape too large to exist");
                }
                if (end > dataLength) throw Bad($"tensor '{name}' runs past the end of the entry");
                var bytes = file.AsSpan((int)(dataStart + begin), (int)(end - begin));
                tensors[name] = Create(dtype, bytes, shape);
                expected = end;
            }
            if (expected != dataLength) throw Bad($"{dataLength - expected} bytes after the last tensor belong to none");
            return tensors;
        }
        catch
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw;
        }
    }

    private static int? ElementSize(string dtype) => dtype switch { "F32" => 4, "F64" => 8, "I64" => 8, "U8" => 1, _ => null };

    private static (string Name, int Size) DType(ScalarType type, string name) => type switch
    {
        ScalarType.Float32 => ("F32", 4),
        ScalarType.Float64 => ("F64", 8),
        ScalarType.Int64 => ("I64", 8),
        ScalarType.Byte => ("U8", 1),
        _ => throw new NotSupportedException($"tensor '{name}' has dtype {type}, which Lathe bundles do not store"),
    };

    private static Tensor Create(string dtype, ReadOnlySpan<byte> bytes, long[] shape)
    {
        var type = dtype switch { "F32" => ScalarType.Float32, "F64" => ScalarType.Float64, "I64" => ScalarType.Int64, _ => ScalarType.Byte };
        var tensor = zeros(shape, type);
        bytes.CopyTo(tensor.bytes);
        return tensor;
    }
}
