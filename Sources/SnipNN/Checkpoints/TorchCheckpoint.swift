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
        var budget = CopyBudget(bytes: copyBudget(fileSize: file.count))
        var unpickler = Unpickler(bytes: file.bytes(pickle.range), path: path) { dtype, key, offset, size, stride in
            let name = root + "data/" + key
            guard let member = archive.members[name] else {
                throw CheckpointError(path: path, key: name, "missing storage member")
            }
            return try rebuild(
                file, member: member, dtype: dtype, offset: offset, size: size, stride: stride, budget: &budget)
        }
        return try unpickler.run()
    }

    /// The most bytes of float32 the tensors of a file of `fileSize` bytes may be copied into
    /// (contiguous float32 tensors are mapped, not copied): every element converted from a
    /// narrower type or gathered from a strided view once or a few times, never the terabytes
    /// a crafted size with stride 0 would ask for.
    static func copyBudget(fileSize: Int) -> Int {
        let (scaled, overflow) = fileSize.multipliedReportingOverflow(by: 8)
        return overflow ? Int.max : max(scaled, 256 << 20)
    }

    /// Bytes left for tensors that must be copied out of the file.
    struct CopyBudget {
        var bytes: Int

        /// Takes `elements` float32 elements off the budget, or fails naming `key`.
        mutating func spend(_ elements: Int, path: String, key: String) throws(CheckpointError) {
            let (needed, overflow) = elements.multipliedReportingOverflow(by: 4)
            guard !overflow, needed <= bytes else {
                throw CheckpointError(
                    path: path, key: key,
                    "the tensors would need more than \(bytes >> 20) MiB more memory than the file's size allows")
            }
            bytes -= needed
        }
    }

    /// The largest number of dimensions a tensor record may have.
    static let maxDimensions = 64

    static func rebuild(
        _ file: MappedFile, member: ZipArchive.Member, dtype: String, offset: Int, size: [Int], stride: [Int],
        budget: inout CopyBudget
    ) throws(CheckpointError) -> Tensor {
        let width = dtype == "I16" ? 2 : (SafeTensors.elementWidth[dtype] ?? 4)
        let available = member.range.count / width
        func malformed(_ reason: String) -> CheckpointError {
            CheckpointError(path: file.path, key: member.name, "malformed tensor record (size \(size), stride \(stride), offset \(offset)): \(reason)")
        }
        guard size.count == stride.count, size.count <= maxDimensions else {
            throw malformed("sizes and strides must be equally many, at most \(maxDimensions)")
        }
        guard size.allSatisfy({ $0 >= 0 }), stride.allSatisfy({ $0 >= 0 }), offset >= 0 else {
            throw malformed("negative size, stride or offset")
        }
        // element count and furthest element, without overflow
        var count = 1
        var furthest = offset
        for (s, st) in zip(size, stride) {
            let (product, overflow) = count.multipliedReportingOverflow(by: s)
            guard !overflow else { throw malformed("the element count overflows") }
            count = product
            guard s > 0 else { continue }
            let (reach, overflow2) = (s - 1).multipliedReportingOverflow(by: st)
            let (sum, overflow3) = furthest.addingReportingOverflow(reach)
            guard !overflow2, !overflow3 else { throw malformed("the view's extent overflows") }
            furthest = sum
        }
        // the furthest element the view touches must lie inside the storage
        guard count == 0 || furthest < available else {
            throw CheckpointError(path: file.path, key: member.name, "truncated: the tensor needs element \(furthest) of a storage of \(available)")
        }
        var contiguous = true
        var expected = 1
        for (s, st) in zip(size, stride).reversed() where s != 1 {
            if st != expected { contiguous = false }
            expected *= s
        }
        if count == 0 { return Tensor(storage: Tensor([], shape: [0]).storage, shape: size) }
        let start = member.range.lowerBound + offset * width
        if contiguous && dtype != "I16" {
            if dtype != "F32" { try budget.spend(count, path: file.path, key: member.name) }
            return Tensor(storage: DTypeConversion.storage(file, at: start, count: count, dtype: dtype), shape: size)
        }
        try budget.spend(count, path: file.path, key: member.name)
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
