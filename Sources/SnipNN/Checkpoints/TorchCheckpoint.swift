import Foundation
import SnipTensor

/// Reads PyTorch `.pth` files (`torch.save` zip archives) without Python: the pickled object
/// tree with tensors rebuilt as float32 `Tensor`s. Contiguous float32 storages are
/// memory-mapped, not copied; other dtypes and strided tensors are converted.
public enum TorchCheckpoint {
    /// The object saved in `path` (usually a dict of state dicts and settings).
    public static func load(_ path: String) throws(CheckpointError) -> PickleValue {
        let file = try MappedFile(path: path)
        if file.count >= 2, file.read(UInt16.self, at: 0) == 0x0280 || file.read(UInt8.self, at: 0) == 0x80 {
            throw CheckpointError(path: path, "legacy (pre-1.6, non-zip) torch.save format is not supported; re-save it with a current PyTorch")
        }
        let archive = try ZipArchive(file)
        guard let pickle = archive.members.values.first(where: { $0.name.hasSuffix("data.pkl") }) else {
            throw CheckpointError(path: path, "not a PyTorch checkpoint (no data.pkl in the archive)")
        }
        let root = String(pickle.name.dropLast("data.pkl".count))
        var unpickler = Unpickler(bytes: file.bytes(pickle.range), path: path) { dtype, key, offset, size, stride in
            let name = root + "data/" + key
            guard let member = archive.members[name] else {
                throw CheckpointError(path: path, key: name, "missing storage member")
            }
            return try rebuild(file, member: member, dtype: dtype, offset: offset, size: size, stride: stride)
        }
        return try unpickler.run()
    }

    static func rebuild(
        _ file: MappedFile, member: ZipArchive.Member, dtype: String, offset: Int, size: [Int], stride: [Int]
    ) throws(CheckpointError) -> Tensor {
        let width = dtype == "I16" ? 2 : (SafeTensors.elementWidth[dtype] ?? 4)
        let available = member.range.count / width
        let count = size.reduce(1, *)
        guard size.count == stride.count, size.allSatisfy({ $0 >= 0 }), offset >= 0 else {
            throw CheckpointError(path: file.path, key: member.name, "malformed size \(size) / stride \(stride)")
        }
        // the furthest element the view touches must lie inside the storage
        let last = count == 0 ? offset : offset + zip(size, stride).reduce(0) { $0 + ($1.0 - 1) * $1.1 }
        guard last < available || count == 0 else {
            throw CheckpointError(path: file.path, key: member.name, "truncated: the tensor needs element \(last) of a storage of \(available)")
        }
        var contiguous = true
        var expected = 1
        for (s, st) in zip(size, stride).reversed() where s != 1 {
            if st != expected { contiguous = false }
            expected *= s
        }
        let start = member.range.lowerBound + offset * width
        if contiguous && dtype != "I16" {
            return Tensor(storage: DTypeConversion.storage(file, at: start, count: count, dtype: dtype), shape: size)
        }
        // gather a strided view element by element
        var values = [Float](repeating: 0, count: count)
        let raw = file.bytes(member.range)
        var index = [Int](repeating: 0, count: size.count)
        for i in 0..<count {
            let position = offset + zip(index, stride).reduce(0) { $0 + $1.0 * $1.1 }
            values[i] = Self.element(raw, position, dtype)
            var axis = size.count - 1
            while axis >= 0 {
                index[axis] += 1
                if index[axis] < size[axis] { break }
                index[axis] = 0
                axis -= 1
            }
        }
        return Tensor(values, shape: size)
    }

    private static func element(_ raw: UnsafeRawBufferPointer, _ i: Int, _ dtype: String) -> Float {
        switch dtype {
        case "F32": Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)))
        case "F64": Float(Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self))))
        case "F16": Float(Float16(bitPattern: UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self))))
        case "BF16": Float(bitPattern: UInt32(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self))) << 16)
        case "I64": Float(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: i * 8, as: Int64.self)))
        case "I32": Float(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: i * 4, as: Int32.self)))
        case "I16": Float(Int16(littleEndian: raw.loadUnaligned(fromByteOffset: i * 2, as: Int16.self)))
        case "I8": Float(Int8(bitPattern: raw[i]))
        default: Float(raw[i])
        }
    }
}
