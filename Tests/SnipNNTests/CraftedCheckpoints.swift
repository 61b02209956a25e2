import Foundation

/// Writes pickle streams opcode by opcode, for crafted (and fuzzed) checkpoints.
struct PickleWriter {
    var bytes: [UInt8] = [0x80, 0x02]  // PROTO 2

    mutating func op(_ code: UInt8) { bytes.append(code) }
    mutating func raw(_ more: [UInt8]) { bytes += more }
    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }

    mutating func global(_ module: String, _ name: String) {
        op(0x63)
        bytes += Array((module + "\n" + name + "\n").utf8)
    }
    mutating func string(_ s: String) {
        let utf8 = Array(s.utf8)
        op(0x58)
        u32(UInt32(utf8.count))
        bytes += utf8
    }
    mutating func int(_ v: Int) {
        if (0..<256).contains(v) {
            op(0x4B)
            bytes.append(UInt8(v))
        } else {
            op(0x8A)  // LONG1, 8 bytes
            bytes.append(8)
            withUnsafeBytes(of: Int64(v).littleEndian) { bytes += $0 }
        }
    }
    mutating func mark() { op(0x28) }
    mutating func tuple() { op(0x74) }
    mutating func emptyDict() { op(0x7D) }
    mutating func emptyList() { op(0x5D) }
    mutating func setItem() { op(0x73) }
    mutating func append() { op(0x61) }
    mutating func reduce() { op(0x52) }
    mutating func put(_ index: UInt32) {
        op(0x72)
        u32(index)
    }
    mutating func get(_ index: UInt32) {
        op(0x6A)
        u32(index)
    }
    mutating func stop() { op(0x2E) }

    /// `int_tuple` as a pickle tuple.
    mutating func intTuple(_ values: [Int]) {
        mark()
        for v in values { int(v) }
        tuple()
    }

    /// `torch._utils._rebuild_tensor_v2(storage(key), offset, size, stride, False, OrderedDict())`
    /// with a float32 storage of `numel` elements.
    mutating func tensor(key: String, numel: Int, offset: Int, size: [Int], stride: [Int]) {
        global("torch._utils", "_rebuild_tensor_v2")
        mark()
        // persistent id ('storage', torch.FloatStorage, key, 'cpu', numel)
        mark()
        string("storage")
        global("torch", "FloatStorage")
        string(key)
        string("cpu")
        int(numel)
        tuple()
        op(0x51)  // BINPERSID
        int(offset)
        intTuple(size)
        intTuple(stride)
        op(0x89)  // NEWFALSE
        global("collections", "OrderedDict")
        op(0x29)  // EMPTY_TUPLE
        reduce()
        tuple()
        reduce()
    }
}

/// Builds `torch.save`-style zip archives (stored members under `archive/`), optionally with
/// doctored directory fields.
struct ZipWriter {
    var members: [(name: String, data: [UInt8])] = []

    mutating func add(_ name: String, _ data: [UInt8]) { members.append((name, data)) }

    /// The archive of a checkpoint: `archive/data.pkl` and `archive/data/<key>` storages.
    static func checkpoint(pickle: [UInt8], storages: [String: [Float]] = [:]) -> [UInt8] {
        var zip = ZipWriter()
        zip.add("archive/data.pkl", pickle)
        for (key, values) in storages.sorted(by: { $0.key < $1.key }) {
            zip.add("archive/data/" + key, values.withUnsafeBytes { Array($0) })
        }
        zip.add("archive/version", Array("3\n".utf8))
        return zip.bytes()
    }

    /// The archive's bytes; `directoryOffset` replaces the end record's directory offset.
    func bytes(directoryOffset: UInt32? = nil) -> [UInt8] {
        var out: [UInt8] = []
        var central: [UInt8] = []
        func u16(_ v: Int, _ to: inout [UInt8]) { withUnsafeBytes(of: UInt16(v).littleEndian) { to += $0 } }
        func u32(_ v: Int, _ to: inout [UInt8]) { withUnsafeBytes(of: UInt32(truncatingIfNeeded: v).littleEndian) { to += $0 } }
        for (name, data) in members {
            let offset = out.count
            let nameBytes = Array(name.utf8)
            u32(0x0403_4b50, &out)
            u16(20, &out); u16(0, &out); u16(0, &out); u16(0, &out); u16(0, &out)
            u32(0, &out); u32(data.count, &out); u32(data.count, &out)
            u16(nameBytes.count, &out); u16(0, &out)
            out += nameBytes
            out += data
            u32(0x0201_4b50, &central)
            u16(20, &central); u16(20, &central); u16(0, &central); u16(0, &central); u16(0, &central); u16(0, &central)
            u32(0, &central); u32(data.count, &central); u32(data.count, &central)
            u16(nameBytes.count, &central); u16(0, &central); u16(0, &central); u16(0, &central); u16(0, &central)
            u32(0, &central); u32(offset, &central)
            central += nameBytes
        }
        let centralOffset = out.count
        out += central
        u32(0x0605_4b50, &out)
        u16(0, &out); u16(0, &out); u16(members.count, &out); u16(members.count, &out)
        u32(central.count, &out); u32(Int(directoryOffset ?? UInt32(centralOffset)), &out); u16(0, &out)
        return out
    }
}

/// A file in the temporary folder that is removed when the value is.
final class TemporaryFile {
    let path: String

    init(_ name: String, bytes: [UInt8]) throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("snip-\(getpid())-\(UUID().uuidString)-\(name)").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    deinit { unlink(path) }
}
