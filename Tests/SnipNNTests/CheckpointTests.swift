import Foundation
import SnipNN
import SnipTensor
import Testing
import TestSupport

private func fixture(_ name: String) -> String {
    Bundle.module.url(forResource: "Fixtures/" + name, withExtension: nil)!.path
}

private func temporaryPath(_ name: String) -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("snip-\(getpid())-\(name)").path
}

/// Copies the first `count` bytes of `source` (or all, with byte `flip` xor-ed) to a new file.
private func damagedCopy(of source: String, keeping count: Int? = nil, flipping flip: Int? = nil, name: String) throws -> String {
    var data = try Data(contentsOf: URL(fileURLWithPath: source))
    if let count { data = data.prefix(count) }
    if let flip { data[flip] ^= 0x5A }
    let path = temporaryPath(name)
    try data.write(to: URL(fileURLWithPath: path))
    return path
}

struct TorchCheckpointTests {
    @Test func readsEverythingTorchSaveWrites() throws {
        let root = try TorchCheckpoint.load(fixture("edge_cases.pth"))
        #expect(root.keys.sorted() == ["best", "big", "epoch", "half", "ints", "list", "model", "name", "negative", "nested", "params", "path", "scalar"])
        let model = try #require(root["model"])
        #expect(model.keys == ["w", "wt", "tail"])
        let w = try #require(model["w"]?.tensor)
        #expect(w.shape == [3, 4] && w.scalars == (0..<12).map(Float.init))
        let wt = try #require(model["wt"]?.tensor)
        #expect(wt.shape == [4, 3] && wt.scalars == [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11])
        #expect(model["tail"]?.tensor?.scalars == [5, 6, 7, 8])
        #expect(root["nested"]?["inner"]?["d"]?.tensor?.scalars == [1.5, -2.25])
        let ints = try #require(root["ints"]?.tensor)
        #expect(ints.shape == [2, 2] && ints.scalars == [1, -2, 3, 4])
        #expect(root["half"]?.tensor?.scalars == [0.5, 1, -3])
        #expect(root["scalar"]?.tensor?.shape == [] && root["scalar"]?.tensor?.item == 7)
        #expect(root["epoch"]?.int == 3 && root["best"]?.double == 0.125 && root["name"]?.string == "snip")
        #expect(root["big"]?.int == 1 << 40 && root["negative"]?.int == -5)
        guard case .list(let list)? = root["list"], list.count == 3, case .none = list[2] else {
            Issue.record("list not read: \(String(describing: root["list"]))")
            return
        }
        guard case .object(let type, let arguments, _)? = root["path"] else {
            Issue.record("path not read")
            return
        }
        #expect(type == "pathlib.PosixPath")
        #expect(arguments.compactMap(\.string) == ["/", "data", "snip"] || arguments.compactMap(\.string) == ["/data/snip"])
        let params = try #require(root["params"])
        #expect(params["emb_emb_dim"]?.int == 64 && params["cpu"]?.int == 1 && params["lr"]?.double == 4e-5)
        // tensors by dotted path
        let names = root.tensors().map(\.key)
        #expect(names.contains("model.wt") && names.contains("nested.inner.d"))
    }

    @Test func damagedFilesGiveErrorsThatNameTheFile() throws {
        let source = fixture("edge_cases.pth")
        let size = try Data(contentsOf: URL(fileURLWithPath: source)).count
        for keep in [0, 10, size / 2, size - 30] {
            let path = try damagedCopy(of: source, keeping: keep, name: "cut\(keep).pth")
            defer { unlink(path) }
            #expect(throws: CheckpointError.self) { try TorchCheckpoint.load(path) }
            do { _ = try TorchCheckpoint.load(path) } catch { #expect(error.path == path) }
        }
        #expect(throws: CheckpointError.self) { try TorchCheckpoint.load("/nonexistent/model.pth") }
        let text = temporaryPath("text.pth")
        try "not a checkpoint".write(toFile: text, atomically: true, encoding: .utf8)
        defer { unlink(text) }
        #expect(throws: CheckpointError.self) { try TorchCheckpoint.load(text) }
    }

    /// Random single-byte damage anywhere in a checkpoint: loading may succeed or throw, but
    /// must never crash the process.
    @Test func randomDamageNeverCrashes() throws {
        let source = fixture("edge_cases.pth")
        let size = try Data(contentsOf: URL(fileURLWithPath: source)).count
        var generator = SeededGenerator(seed: 5)
        var failures = 0
        for i in 0..<300 {
            let flip = Int(generator.next() % UInt64(size))
            let path = try damagedCopy(of: source, flipping: flip, name: "flip\(i).pth")
            defer { unlink(path) }
            do { _ = try TorchCheckpoint.load(path) } catch { failures += 1 }
        }
        #expect(failures > 0)  // some damage must be detected
    }
}

struct SafeTensorsTests {
    @Test func roundTripWithMetadata() throws {
        let path = temporaryPath("round.safetensors")
        defer { unlink(path) }
        let a = Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])
        let b = Tensor(scalar: -0.5)
        try SafeTensors.write([("a.weight", a), ("b", b)], metadata: ["config": "{\"width\":8}"], to: path)
        let (tensors, metadata) = try SafeTensors.read(path)
        #expect(tensors["a.weight"]?.shape == [2, 3] && tensors["a.weight"]?.scalars == a.scalars)
        #expect(tensors["b"]?.shape == [] && tensors["b"]?.item == -0.5)
        #expect(metadata == ["config": "{\"width\":8}"])
        #expect(!FileManager.default.fileExists(atPath: path + ".tmp-\(getpid())"))
        // the data section starts 8-byte aligned
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let headerLength = data.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
        #expect((8 + headerLength) % 8 == 0)
    }

    @Test func halfPrecisionStoresRoundedValuesInHalfTheBytes() throws {
        let full = temporaryPath("full.safetensors")
        let half = temporaryPath("half.safetensors")
        defer { unlink(full); unlink(half) }
        // 0.1 and 1/3 are not float16 numbers; 65504 is the largest one, 1e-8 rounds to zero
        let values: [Float] = [0.1, -1.0 / 3, 65504, 1e-8, 0, 2.5, -0.000123, 7]
        let tensors = [("w", Tensor(values, shape: [2, 4])), ("b", Tensor(Array(repeating: 0.5, count: 64), shape: [64]))]
        try SafeTensors.write(tensors, metadata: ["k": "v"], to: full)
        try SafeTensors.write(tensors, metadata: ["k": "v"], to: half, storage: .float16)
        let (read, metadata) = try SafeTensors.read(half)
        #expect(metadata == ["k": "v"])
        #expect(read["w"]?.shape == [2, 4] && read["b"]?.shape == [64])
        #expect(read["w"]?.scalars == values.map { Float(Float16($0)) })
        #expect(read["w"]?.scalars[0] == 0.099975586 && read["w"]?.scalars[3] == 0)
        #expect(read["b"]?.scalars == Array(repeating: 0.5, count: 64))
        // the data section is half as long
        func dataBytes(_ path: String) throws -> Int {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            return data.count - 8 - Int(data.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        }
        #expect(try dataBytes(full) == 72 * 4 && dataBytes(half) == 72 * 2)
    }

    @Test func halfPrecisionRefusesValuesBeyondItsRangeAndWritesNothing() throws {
        let path = temporaryPath("overflow.safetensors")
        defer { unlink(path) }
        do {
            try SafeTensors.write([("ok", Tensor([1])), ("big", Tensor([1, 70000]))], to: path, storage: .float16)
            Issue.record("70000 was written as float16")
        } catch {
            #expect(error.key == "big" && error.reason.contains("element 1") && error.reason.contains("float16"), "\(error)")
        }
        #expect(!FileManager.default.fileExists(atPath: path))
        // infinities and NaNs are kept as what they are
        try SafeTensors.write([("x", Tensor([.infinity, -.infinity]))], to: path, storage: .float16)
        #expect(try SafeTensors.read(path).tensors["x"]?.scalars == [.infinity, -.infinity])
    }

    @Test func loadedTensorsAreIndependentValues() throws {
        let path = temporaryPath("cow.safetensors")
        defer { unlink(path) }
        try SafeTensors.write([("x", Tensor([1, 2, 3]))], to: path)
        var x = try SafeTensors.read(path).tensors["x"]!
        x[0] = 9
        #expect(x.scalars == [9, 2, 3])
        #expect(try SafeTensors.read(path).tensors["x"]?.scalars == [1, 2, 3])
    }

    @Test func damagedFilesGiveErrorsThatNameTheKey() throws {
        let path = temporaryPath("good.safetensors")
        defer { unlink(path) }
        try SafeTensors.write([("layer.weight", Tensor.ones([4, 4]))], to: path)
        let size = try Data(contentsOf: URL(fileURLWithPath: path)).count
        let cut = try damagedCopy(of: path, keeping: size - 8, name: "cut.safetensors")
        defer { unlink(cut) }
        do {
            _ = try SafeTensors.read(cut)
            Issue.record("a truncated file was accepted")
        } catch {
            #expect(error.path == cut && error.key == "layer.weight" && error.reason.contains("truncated"))
        }
        let short = try damagedCopy(of: path, keeping: 5, name: "short.safetensors")
        defer { unlink(short) }
        #expect(throws: CheckpointError.self) { try SafeTensors.read(short) }
        #expect(throws: CheckpointError.self) { try SafeTensors.write([("x", Tensor([1])), ("x", Tensor([2]))], to: path) }
    }
}
