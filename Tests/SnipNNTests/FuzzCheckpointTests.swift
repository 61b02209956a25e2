import Foundation
import SnipNN
import SnipTensor
import Testing
import TestSupport

/// Fuzz targets for the checkpoint readers (issue 17): the `.pth` reader (zip + pickle) and
/// safetensors. Every input must load or throw ``CheckpointError``; anything else (a trap, a
/// stack overflow, a hang, an allocation of terabytes) kills the test process. CI runs a few
/// thousand inputs each; `SNIP_FUZZ_ITERATIONS` runs more (see ``Fuzz``).
struct FuzzCheckpointTests {
    static let fixture = Bundle.module.url(forResource: "Fixtures/edge_cases.pth", withExtension: nil)!.path

    /// One scratch file per target, overwritten for each input.
    static func scratch(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("snip-fuzz-\(getpid())-\(name)").path
    }

    /// The members of the fixture archive (read with the test's own zip writer's layout in
    /// mind: stored, so each member is its bytes).
    static let fixtureBytes: [UInt8] = Array(FileManager.default.contents(atPath: fixture) ?? Data())

    // MARK: .pth

    @Test func pthReaderNeverCrashes() throws {
        let path = Self.scratch("fuzz.pth")
        defer { unlink(path) }
        let iterations = Fuzz.iterations(ciDefault: 3000)
        var outcomes: [String: Int] = [:]
        for i in Fuzz.start..<Fuzz.start + iterations {
            Fuzz.progress("pth", done: i - Fuzz.start, outcomes: outcomes)
            var random = FuzzRandom(seed: 17, input: i)
            let bytes: [UInt8]
            switch random.int(4) {
            case 0: bytes = random.mutate(Self.fixtureBytes)
            case 1: bytes = ZipWriter.checkpoint(pickle: Self.randomPickle(&random), storages: ["0": [1, 2, 3, 4, 5, 6, 7, 8]])
            case 2: bytes = ZipWriter.checkpoint(pickle: random.mutate(Self.validPickle(&random)), storages: ["0": [1, 2, 3, 4, 5, 6, 7, 8]])
            default: bytes = random.mutate(ZipWriter.checkpoint(pickle: Self.validPickle(&random), storages: ["0": [1, 2, 3, 4]]))
            }
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            do {
                let root = try TorchCheckpoint.load(path)
                // what loaded must be usable: walk its tensors
                for (_, tensor) in root.tensors() { _ = tensor.scalars.count }
                outcomes["loaded", default: 0] += 1
            } catch {
                #expect(error.path == path)
                outcomes["refused", default: 0] += 1
            }
        }
        Fuzz.report("pth", iterations: iterations, outcomes: outcomes)
    }

    /// A well-formed state dict with a few tensor records of random (mostly valid) geometry.
    static func validPickle(_ random: inout FuzzRandom) -> [UInt8] {
        var p = PickleWriter()
        p.global("collections", "OrderedDict")
        p.op(0x29)
        p.reduce()
        for k in 0..<(1 + random.int(3)) {
            p.string("w\(k)")
            let rank = random.int(3)
            let size = (0..<rank).map { _ in 1 + random.int(3) }
            var stride: [Int] = []
            var step = 1
            for s in size.reversed() {
                stride.insert(step, at: 0)
                step *= s
            }
            if random.chance(0.3) { stride.reverse() }
            p.tensor(key: "0", numel: 8, offset: random.int(3), size: size, stride: stride)
            p.setItem()
        }
        p.stop()
        return p.bytes
    }

    /// A random opcode stream: real opcodes with arguments drawn to hit lengths, memo
    /// indices, nesting and the allow-list from both sides.
    static func randomPickle(_ random: inout FuzzRandom) -> [UInt8] {
        var p = PickleWriter()
        let count = 1 + random.int(random.chance(0.05) ? 5000 : 60)
        for _ in 0..<count {
            switch random.int(22) {
            case 0: p.emptyList()
            case 1: p.emptyDict()
            case 2: p.mark()
            case 3: p.op(random.pick([0x6C, 0x74, 0x64, 0x65, 0x75, 0x90, 0x91, 0x31]))  // to-MARK ops
            case 4: p.op(random.pick([0x61, 0x73, 0x52, 0x81, 0x62, 0x85, 0x86, 0x87, 0x30, 0x32, 0x93, 0x51]))
            case 5: p.int(Int(truncatingIfNeeded: random.interestingInt()))
            case 6: p.string(random.pick(["storage", "cpu", "0", "w", "", "params"]))
            case 7:
                let (module, name) = random.pick([
                    ("torch._utils", "_rebuild_tensor_v2"), ("torch", "FloatStorage"), ("torch", "HalfStorage"),
                    ("collections", "OrderedDict"), ("pathlib", "PosixPath"), ("argparse", "Namespace"),
                    ("os", "system"), ("builtins", "eval"), ("torch.nn", "Linear"), ("", ""),
                ])
                p.global(module, name)
            case 8:
                p.op(random.pick([0x71, 0x68]))
                p.raw([UInt8(random.int(8))])
            case 9:
                p.op(random.pick([0x72, 0x6A]))
                p.u32(UInt32(truncatingIfNeeded: random.interestingInt()))
            case 10: p.op(0x94)  // MEMOIZE
            case 11:
                p.op(random.pick([0x8D, 0x8E]))  // 8-byte lengths
                p.u64(UInt64(bitPattern: random.interestingInt()))
            case 12:
                p.op(random.pick([0x58, 0x42, 0x54]))  // 4-byte lengths
                p.u32(UInt32(truncatingIfNeeded: random.interestingInt()))
                p.raw([UInt8](repeating: 0x41, count: random.int(8)))
            case 13:
                p.op(random.pick([0x8A, 0x8B]))
                if random.chance(0.5) {
                    p.raw([UInt8(random.int(12))])
                } else {
                    p.u32(UInt32(truncatingIfNeeded: random.interestingInt()))
                }
                p.raw((0..<random.int(10)).map { _ in UInt8(truncatingIfNeeded: random.next()) })
            case 14:
                // a burst of nesting
                let depth = random.pick([10, 300, 5000])
                for _ in 0..<depth { p.emptyList() }
                for _ in 0..<(depth - 1) { p.append() }
            case 15:
                p.tensor(
                    key: random.pick(["0", "1", "missing"]), numel: 8, offset: Int(truncatingIfNeeded: random.interestingInt()),
                    size: (0..<random.int(4)).map { _ in Int(truncatingIfNeeded: random.interestingInt()) },
                    stride: (0..<random.int(4)).map { _ in Int(truncatingIfNeeded: random.interestingInt()) })
            case 16: p.op(random.pick([0x4E, 0x88, 0x89, 0x29, 0x5D, 0x7D, 0x8F]))
            case 17:
                p.op(random.pick([0x49, 0x4C, 0x46, 0x53, 0x56, 0x70, 0x67]))  // text-line opcodes
                p.raw(Array(random.pick(["1", "01", "-5L", "1e308", "nan", "", "abc", "99999999999999999999"]).utf8))
                if random.chance(0.9) { p.raw([0x0A]) }
            case 18:
                p.op(0x47)
                p.u64(random.next())
            case 19: p.op(UInt8(truncatingIfNeeded: random.next()))
            case 20: p.stop()
            default: p.op(0x80)
            }
        }
        p.stop()
        return p.bytes
    }

    // MARK: safetensors

    @Test func safetensorsReaderNeverCrashes() throws {
        let path = Self.scratch("fuzz.safetensors")
        let seedPath = Self.scratch("seed.safetensors")
        defer {
            unlink(path)
            unlink(seedPath)
        }
        try SafeTensors.write(
            [("a.weight", Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])), ("b", Tensor(scalar: 2)), ("e", Tensor([], shape: [0, 4]))],
            metadata: ["snip.config": "{\"width\": 8}"], to: seedPath)
        let seed = Array(FileManager.default.contents(atPath: seedPath)!)
        let iterations = Fuzz.iterations(ciDefault: 3000)
        var outcomes: [String: Int] = [:]
        for i in Fuzz.start..<Fuzz.start + iterations {
            Fuzz.progress("safetensors", done: i - Fuzz.start, outcomes: outcomes)
            var random = FuzzRandom(seed: 23, input: i)
            let bytes = random.chance(0.5) ? random.mutate(seed) : Self.randomSafetensors(&random)
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            do {
                let (tensors, _) = try SafeTensors.read(path)
                for tensor in tensors.values { _ = tensor.scalars.reduce(0, +) }
                outcomes["loaded", default: 0] += 1
            } catch {
                #expect(error.path == path)
                outcomes["refused", default: 0] += 1
            }
        }
        Fuzz.report("safetensors", iterations: iterations, outcomes: outcomes)
    }

    /// A header of random entries (dtypes, shapes and offsets from the interesting integers,
    /// wrong types, deep nesting) over a small data section.
    static func randomSafetensors(_ random: inout FuzzRandom) -> [UInt8] {
        var entries: [String] = []
        for k in 0..<random.int(4) {
            let dtype = random.pick(["F32", "F16", "BF16", "F64", "I64", "I32", "I8", "U8", "BOOL", "X9", ""])
            let shape = (0..<random.int(4)).map { _ in random.chance(0.7) ? String(random.int(5)) : String(random.interestingInt()) }
            let start = random.chance(0.7) ? Int64(random.int(32)) : random.interestingInt()
            let end = random.chance(0.7) ? start &+ Int64(random.int(32)) : random.interestingInt()
            var entry = "\"t\(k)\":{\"dtype\":\"\(dtype)\",\"shape\":[\(shape.joined(separator: ","))],\"data_offsets\":[\(start),\(end)]}"
            if random.chance(0.1) { entry = "\"t\(k)\":" + random.pick(["1", "null", "[]", "\"x\"", "{\"dtype\":5}"]) }
            entries.append(entry)
        }
        if random.chance(0.3) {
            entries.append("\"__metadata__\":" + random.pick(["{\"a\":\"b\"}", "{\"a\":1}", "[]", "\"m\""]))
        }
        var header = "{" + entries.joined(separator: ",") + "}"
        if random.chance(0.05) {
            let depth = random.pick([20, 1000, 100_000])
            header = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        }
        var json = Array(header.utf8)
        while (8 + json.count) % 8 != 0 { json.append(0x20) }
        var out: [UInt8] = []
        let length = random.chance(0.9) ? UInt64(json.count) : UInt64(bitPattern: random.interestingInt())
        withUnsafeBytes(of: length.littleEndian) { out += $0 }
        return out + json + (0..<random.int(64)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
    }
}
