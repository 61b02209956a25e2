import Foundation
import SnipSystem
import SnipTensor

/// The safetensors format: an 8-byte little-endian header length, a JSON header naming each
/// tensor's dtype, shape and byte range, an optional `__metadata__` map of strings, then the raw
/// little-endian data. snip's native checkpoint format.
public enum SafeTensors {
    /// How `write` stores the elements: float32 exactly, or float16 (IEEE half: half the bytes,
    /// each value rounded to 11 significant bits, about 3 decimal digits; read back as float32).
    public enum Storage: Sendable {
        case float32, float16

        var dtype: String { self == .float32 ? "F32" : "F16" }
        var width: Int { self == .float32 ? 4 : 2 }
    }

    /// Writes `tensors` (in the given order) and string `metadata` to `path` atomically, each
    /// element as `storage` says. float16 refuses values beyond its range (±65504) rather than
    /// storing them as infinities.
    public static func write(
        _ tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:], to path: String,
        storage: Storage = .float32
    ) throws(CheckpointError) {
        var names = Set<String>()
        for (name, _) in tensors where !names.insert(name).inserted {
            throw CheckpointError(path: path, key: name, "the name occurs twice")
        }
        var halves: [[UInt16]] = []
        if storage == .float16 {
            for (name, tensor) in tensors {
                let values = tensor.scalars
                if let i = values.firstIndex(where: { $0.isFinite && !Float16($0).isFinite }) {
                    throw CheckpointError(
                        path: path, key: name, "element \(i) (\(values[i])) is beyond float16's range (±65504): write it as float32")
                }
                halves.append(values.map { Float16($0).bitPattern.littleEndian })
            }
        }
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        for (name, tensor) in tensors {
            let bytes = tensor.count * storage.width
            header[name] = ["dtype": storage.dtype, "shape": tensor.shape, "data_offsets": [offset, offset + bytes]]
            offset += bytes
        }
        var json: Data
        do {
            json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        } catch {
            throw CheckpointError(path: path, "cannot encode the header: \(error)")
        }
        // pad the header with spaces so that the data starts 8-byte aligned
        while (8 + json.count) % 8 != 0 { json.append(0x20) }
        let headerJSON = json
        do {
            try AtomicFile.write(to: path) { emit in
                var length = UInt64(headerJSON.count).littleEndian
                try withUnsafeBytes(of: &length) { try emit($0) }
                try headerJSON.withUnsafeBytes { try emit($0) }
                if storage == .float16 {
                    for half in halves { try half.withUnsafeBytes { try emit($0) } }
                } else {
                    for (_, tensor) in tensors {
                        try tensor.withUnsafeBufferPointer { try emit(UnsafeRawBufferPointer($0)) }
                    }
                }
            }
        } catch {
            throw CheckpointError(path: error.path, error.reason)
        }
    }

    /// Reads every tensor (converted to float32) and the metadata of a safetensors file.
    /// float32 data is memory-mapped, not copied.
    public static func read(_ path: String) throws(CheckpointError) -> (tensors: [String: Tensor], metadata: [String: String]) {
        let file = try MappedFile(path: path)
        guard file.count >= 8 else { throw CheckpointError(path: path, "truncated: no header length") }
        let announced = file.read(UInt64.self, at: 0)
        guard announced > 0, announced <= UInt64(file.count - 8), announced < 1 << 30 else {
            throw CheckpointError(path: path, "truncated or not a safetensors file (header length \(announced), file \(file.count) bytes)")
        }
        let headerLength = Int(announced)
        let headerBytes = Data(file.bytes(8..<8 + headerLength))
        // a header nests three levels; refuse deep nesting before a recursive JSON parser sees it
        guard jsonNestingDepth(file.bytes(8..<8 + headerLength)) <= 16 else {
            throw CheckpointError(path: path, "the header nests too deeply to be a safetensors header")
        }
        guard let header = (try? JSONSerialization.jsonObject(with: headerBytes)) as? [String: Any] else {
            throw CheckpointError(path: path, "the header is not a JSON object")
        }
        let dataStart = 8 + headerLength
        let dataLength = file.count - dataStart
        var tensors: [String: Tensor] = [:]
        var metadata: [String: String] = [:]
        // in name order, so that the first error reported does not depend on hashing
        for (name, value) in header.sorted(by: { $0.key < $1.key }) {
            if name == "__metadata__" {
                guard let map = value as? [String: Any] else {
                    throw CheckpointError(path: path, key: name, "metadata is not an object")
                }
                for (k, v) in map { metadata[k] = v as? String ?? "\(v)" }
                continue
            }
            guard let entry = value as? [String: Any], let dtype = entry["dtype"] as? String,
                let shape = entry["shape"] as? [Int], let offsets = entry["data_offsets"] as? [Int],
                offsets.count == 2
            else {
                throw CheckpointError(path: path, key: name, "malformed header entry")
            }
            guard let width = elementWidth[dtype] else {
                throw CheckpointError(path: path, key: name, "unsupported dtype \(dtype)")
            }
            guard shape.count <= 64, shape.allSatisfy({ $0 >= 0 }) else {
                throw CheckpointError(path: path, key: name, "malformed shape \(shape)")
            }
            // element and byte counts without overflow: a crafted shape may multiply past 2^63
            var count = 1
            for dimension in shape {
                let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
                guard !overflow else { throw CheckpointError(path: path, key: name, "shape \(shape) has too many elements") }
                count = product
            }
            let (bytes, overflow) = count.multipliedReportingOverflow(by: width)
            guard !overflow, offsets[0] >= 0, offsets[1] >= offsets[0], offsets[1] - offsets[0] == bytes else {
                throw CheckpointError(path: path, key: name, "shape \(shape) does not fit its byte range \(offsets)")
            }
            guard offsets[1] <= dataLength else {
                // (offsets[1] may be near Int.max: no sums in the message)
                throw CheckpointError(
                    path: path, key: name,
                    "truncated: its data would end at byte \(offsets[1]) of the data section, which holds only \(dataLength) bytes (the file is cut short)")
            }
            let start = dataStart + offsets[0]
            tensors[name] = Tensor(
                storage: DTypeConversion.storage(file, at: start, count: count, dtype: dtype), shape: shape)
        }
        return (tensors, metadata)
    }

    /// The deepest nesting of `[` and `{` in JSON text (outside strings).
    static func jsonNestingDepth(_ bytes: UnsafeRawBufferPointer) -> Int {
        var depth = 0
        var deepest = 0
        var inString = false
        var escaped = false
        for byte in bytes {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                deepest = max(deepest, depth)
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
            default: break
            }
        }
        return deepest
    }

    static let elementWidth: [String: Int] = ["F32": 4, "F64": 8, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I8": 1, "U8": 1, "BOOL": 1]
}

/// Turns stored elements of any supported dtype into float32 tensor storage.
enum DTypeConversion {
    static func storage(_ file: MappedFile, at offset: Int, count: Int, dtype: String) -> TensorStorage {
        if dtype == "F32" {
            switch file.floatStorage(at: offset, count: count) {
            case .borrowed(let pointer, let owner):
                return TensorStorage(borrowing: pointer, count: count) { _ in _ = owner }
            case .copied(let values):
                return Tensor(values, shape: [count]).storage
            }
        }
        let raw = file.bytes(offset..<offset + count * (SafeTensors.elementWidth[dtype] ?? 4))
        var values = [Float](repeating: 0, count: count)
        for i in 0..<count {
            switch dtype {
            case "F64": values[i] = Float(Double(bitPattern: raw.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self).littleEndian))
            case "F16": values[i] = Float(Float16(bitPattern: raw.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self).littleEndian))
            case "BF16":
                let bits = UInt32(raw.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self).littleEndian) << 16
                values[i] = Float(bitPattern: bits)
            case "I64": values[i] = Float(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: i * 8, as: Int64.self)))
            case "I32": values[i] = Float(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: i * 4, as: Int32.self)))
            case "I8": values[i] = Float(Int8(bitPattern: raw[i]))
            default: values[i] = Float(raw[i])  // U8, BOOL
            }
        }
        return Tensor(values, shape: [count]).storage
    }
}
