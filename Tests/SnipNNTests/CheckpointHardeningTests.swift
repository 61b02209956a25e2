import Foundation
import SnipNN
import SnipTensor
import Testing

/// Loads crafted bytes as a `.pth` file and returns the error (or nil when it loaded).
private func loadError(_ bytes: [UInt8]) throws -> CheckpointError? {
    let file = try TemporaryFile("crafted.pth", bytes: bytes)
    do {
        _ = try TorchCheckpoint.load(file.path)
        return nil
    } catch {
        #expect(error.path == file.path)
        return error
    }
}

/// A checkpoint whose pickle is `body` followed by STOP.
private func checkpoint(storages: [String: [Float]] = [:], _ body: (inout PickleWriter) -> Void) -> [UInt8] {
    var p = PickleWriter()
    body(&p)
    p.stop()
    return ZipWriter.checkpoint(pickle: p.bytes, storages: storages)
}

/// Each failing input of the hardening issue (17), rebuilt: every one must end in an error that
/// names the file, never a crash, a hang or an allocation of terabytes.
struct PickleHardeningTests {
    @Test func hugeStringLengthsAreTruncationErrors() throws {
        for (opcode, length) in [(UInt8(0x8D), UInt64(Int64.max)), (0x8D, UInt64.max), (0x8E, UInt64(Int64.max)), (0x8E, UInt64.max)] {
            let bytes = checkpoint { p in
                p.op(opcode)
                p.u64(length)
            }
            let error = try #require(try loadError(bytes))
            #expect(error.reason.contains("truncated"))
        }
        let bytes = checkpoint { p in
            p.op(0x58)
            p.u32(.max)
        }
        #expect(try loadError(bytes)?.reason.contains("truncated") == true)
    }

    @Test func aHundredThousandNestedListsAreRefusedAndFreed() throws {
        // built bottom-up on the stack: 100,000 empty lists, each appended into the one below
        let bytes = checkpoint { p in
            for _ in 0..<100_000 { p.emptyList() }
            for _ in 0..<99_999 { p.append() }
        }
        let error = try #require(try loadError(bytes))
        #expect(error.reason.contains("deeper than"))
    }

    @Test func deepStructuresBuiltTopDownThroughTheMemoAreFreed() throws {
        // each list is memoised, then the next one is appended into it from the memo: the
        // result is a 100,000-deep chain (and a stack of references to it)
        let bytes = checkpoint { p in
            p.emptyList()
            p.put(0)
            for i in 1..<100_000 {
                p.emptyList()
                p.put(UInt32(i))
                p.get(UInt32(i - 1))
                p.get(UInt32(i))
                p.append()
                p.op(0x30)  // POP the parent
                p.op(0x30)  // POP the new list (it stays in the memo)
            }
            p.get(0)
        }
        let error = try #require(try loadError(bytes))
        #expect(error.reason.contains("deeper than"))
    }

    @Test func memoSharedBillionLaughsAreRefused() throws {
        // level k is a list holding level k-1 ten times: 10^40 values when expanded
        let bytes = checkpoint { p in
            p.emptyList()
            p.int(1)
            p.append()
            p.put(0)
            for level in 1...40 {
                p.emptyList()
                p.mark()
                for _ in 0..<10 { p.get(UInt32(level - 1)) }
                p.op(0x65)  // APPENDS
                p.put(UInt32(level))
            }
        }
        let error = try #require(try loadError(bytes))
        #expect(error.reason.contains("more than"))
    }

    @Test func globalsOutsideTheAllowListAreRefusedByName() throws {
        // os.system("…") the classic way, and builtins.eval through STACK_GLOBAL
        let classic = checkpoint { p in
            p.global("os", "system")
            p.mark()
            p.string("touch /tmp/snip-pwned")
            p.tuple()
            p.reduce()
        }
        let error = try #require(try loadError(classic))
        #expect(error.reason.contains("'os.system'"))
        let stacked = checkpoint { p in
            p.op(0x8C); p.raw([8]); p.raw(Array("builtins".utf8))
            p.op(0x8C); p.raw([4]); p.raw(Array("eval".utf8))
            p.op(0x93)
        }
        #expect(try loadError(stacked)?.reason.contains("'builtins.eval'") == true)
        #expect(!FileManager.default.fileExists(atPath: "/tmp/snip-pwned"))
    }

    @Test func aForbiddenGlobalInsideAValidCheckpointIsRefused() throws {
        // a real state dict with one tensor, and beside it a pickled nn.Module class
        let good: (inout PickleWriter) -> Void = { p in
            p.emptyDict()
            p.string("w")
            p.tensor(key: "0", numel: 4, offset: 0, size: [2, 2], stride: [2, 1])
            p.setItem()
        }
        let valid = checkpoint(storages: ["0": [1, 2, 3, 4]], good)
        let file = try TemporaryFile("valid.pth", bytes: valid)
        #expect(try TorchCheckpoint.load(file.path)["w"]?.tensor?.scalars == [1, 2, 3, 4])
        let poisoned = checkpoint(storages: ["0": [1, 2, 3, 4]]) { p in
            good(&p)
            p.string("model")
            p.global("torch.nn.modules.linear", "Linear")
            p.op(0x29)
            p.op(0x81)  // NEWOBJ
            p.setItem()
        }
        #expect(try loadError(poisoned)?.reason.contains("'torch.nn.modules.linear.Linear'") == true)
    }

    /// The reference checkpoints' non-tensor objects stay readable as inert values.
    @Test func allowedInertObjectsAreKept() throws {
        let bytes = checkpoint { p in
            p.emptyDict()
            p.string("path")
            p.global("pathlib", "PosixPath")
            p.mark()
            p.string("/data")
            p.tuple()
            p.reduce()
            p.setItem()
            p.string("best")
            p.global("numpy.core.multiarray", "scalar")
            p.mark()
            p.global("numpy", "dtype")
            p.mark()
            p.string("f8")
            p.tuple()
            p.reduce()
            p.op(0x43); p.raw([8]); p.raw([0, 0, 0, 0, 0, 0, 0xF0, 0x3F])
            p.tuple()
            p.reduce()
            p.setItem()
        }
        let file = try TemporaryFile("inert.pth", bytes: bytes)
        let root = try TorchCheckpoint.load(file.path)
        guard case .object("pathlib.PosixPath", _, _)? = root["path"], case .object("numpy.core.multiarray.scalar", _, _)? = root["best"] else {
            Issue.record("inert objects not kept: \(root)")
            return
        }
    }
}

struct TensorRecordHardeningTests {
    private func error(size: [Int], stride: [Int], offset: Int = 0, numel: Int = 4) throws -> CheckpointError? {
        try loadError(checkpoint(storages: ["0": [1, 2, 3, 4]]) { p in
            p.tensor(key: "0", numel: numel, offset: offset, size: size, stride: stride)
        })
    }

    @Test func strideZeroWithATrillionElementsIsRefusedNotAllocated() throws {
        let e = try #require(try error(size: [1_000_000_000_000], stride: [0]))
        #expect(e.reason.contains("memory"))
    }

    @Test func negativeStridesSizesAndOffsetsAreRefused() throws {
        #expect(try error(size: [4], stride: [-1], offset: 3)?.reason.contains("negative") == true)
        #expect(try error(size: [-4], stride: [1])?.reason.contains("negative") == true)
        #expect(try error(size: [4], stride: [1], offset: -1)?.reason.contains("negative") == true)
    }

    @Test func overflowingCountsAndExtentsAreRefused() throws {
        #expect(try error(size: [1 << 62, 8], stride: [1, 1])?.reason.contains("overflow") == true)
        #expect(try error(size: [3], stride: [Int.max / 2 + 1])?.reason.contains("overflow") == true)
        #expect(try error(size: [2], stride: [1], offset: Int.max)?.reason.contains("overflow") == true)
    }

    @Test func viewsBeyondTheStorageAreRefused() throws {
        #expect(try error(size: [5], stride: [1])?.reason.contains("truncated") == true)
        #expect(try error(size: [2, 2], stride: [3, 1], offset: 0)?.reason.contains("truncated") == true)
        #expect(try error(size: [2], stride: [1], offset: 3)?.reason.contains("truncated") == true)
        // the same records inside the storage load
        #expect(try error(size: [2, 2], stride: [1, 2]) == nil)
        #expect(try error(size: [0, 1_000_000_000_000], stride: [1, 1], offset: 1_000_000) == nil)
    }
}

struct ZipHardeningTests {
    /// A checkpoint archive whose end record is made ZIP64 with the given record fields.
    private func zip64(entries: UInt64, size: UInt64, offset: UInt64) -> [UInt8] {
        var p = PickleWriter()
        p.int(1)
        p.stop()
        var bytes = ZipWriter.checkpoint(pickle: p.bytes)
        let eocd = bytes.count - 22
        let recordOffset = eocd
        var record: [UInt8] = []
        func u(_ v: some FixedWidthInteger) { withUnsafeBytes(of: v.littleEndian) { record += $0 } }
        u(UInt32(0x0606_4b50)); u(UInt64(44)); u(UInt16(45)); u(UInt16(45)); u(UInt32(0)); u(UInt32(0))
        u(entries); u(entries); u(size); u(offset)
        var locator: [UInt8] = []
        func l(_ v: some FixedWidthInteger) { withUnsafeBytes(of: v.littleEndian) { locator += $0 } }
        l(UInt32(0x0706_4b50)); l(UInt32(0)); l(UInt64(recordOffset)); l(UInt32(1))
        var end = Array(bytes[eocd...])
        for i in 16..<20 { end[i] = 0xFF }  // directory offset: see the zip64 record
        bytes = Array(bytes[..<eocd]) + record + locator + end
        return bytes
    }

    @Test func offsetsNearTwoToTheSixtyThreeAreErrors() throws {
        for offset in [UInt64(Int64.max) - 10, UInt64(Int64.max), UInt64.max - 5, 1 << 62] {
            let e = try #require(try loadError(zip64(entries: 1, size: 100, offset: offset)))
            #expect(e.reason.contains("zip"))
        }
        for size in [UInt64(Int64.max), UInt64.max] {
            #expect(try loadError(zip64(entries: 1, size: size, offset: 0)) != nil)
        }
        #expect(try loadError(zip64(entries: UInt64.max, size: 46, offset: 0)) != nil)
        #expect(try loadError(zip64(entries: 1 << 40, size: 46, offset: 0))?.reason.contains("members") == true)
    }

    @Test func aDirectoryOffsetPastTheEndIsAnError() throws {
        var p = PickleWriter()
        p.stop()
        var zip = ZipWriter()
        zip.add("archive/data.pkl", p.bytes)
        #expect(try loadError(zip.bytes(directoryOffset: 0xFFFF_FFF0))?.reason.contains("zip") == true)
    }
}

struct SafeTensorsHardeningTests {
    private func safetensors(header: String, data: Int = 16) -> [UInt8] {
        var json = Array(header.utf8)
        while (8 + json.count) % 8 != 0 { json.append(0x20) }
        var out: [UInt8] = []
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { out += $0 }
        return out + json + [UInt8](repeating: 0, count: data)
    }

    private func readError(_ bytes: [UInt8]) throws -> CheckpointError? {
        let file = try TemporaryFile("crafted.safetensors", bytes: bytes)
        do {
            _ = try SafeTensors.read(file.path)
            return nil
        } catch {
            return error
        }
    }

    @Test func overflowingShapesAreErrors() throws {
        let big = #"{"x":{"dtype":"F32","shape":[4294967296,4294967296,16],"data_offsets":[0,0]}}"#
        #expect(try readError(safetensors(header: big))?.reason.contains("too many elements") == true)
        let wraps = #"{"x":{"dtype":"F32","shape":[4611686018427387904],"data_offsets":[0,0]}}"#
        #expect(try readError(safetensors(header: wraps)) != nil)
        let negative = #"{"x":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#
        #expect(try readError(safetensors(header: negative)) != nil)
    }

    /// Found by the safetensors fuzz target: the truncation message added the header size to an
    /// end offset near Int.max.
    @Test func anEndOffsetNearIntMaxIsATruncationError() throws {
        let header = #"{"x":{"dtype":"U8","shape":[9223372036854775807],"data_offsets":[0,9223372036854775807]}}"#
        #expect(try readError(safetensors(header: header))?.reason.contains("truncated") == true)
    }

    @Test func hugeHeaderLengthsAreErrors() throws {
        for length in [UInt64(Int64.max), UInt64.max, UInt64(Int64.max) + 1] {
            var bytes: [UInt8] = []
            withUnsafeBytes(of: length.littleEndian) { bytes += $0 }
            bytes += Array("{}      ".utf8)
            #expect(try readError(bytes)?.reason.contains("header length") == true)
        }
    }

    @Test func deeplyNestedHeadersAreErrors() throws {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(try readError(safetensors(header: deep)) != nil)
    }
}

/// A checkpoint write that fails reports the file and the system's reason as a checkpoint
/// error (the writer itself is tested in SnipSystemTests).
struct CheckpointWriteErrorTests {
    @Test func aFullDeviceIsReportedAsACheckpointError() throws {
        var status = stat()
        guard stat("/dev/full", &status) == 0, status.st_mode & S_IFMT == S_IFCHR else { return }
        do {
            try SafeTensors.write([("x", Tensor.ones([256]))], to: "/dev/full")
            Issue.record("a write to /dev/full succeeded")
        } catch {
            #expect(error.path == "/dev/full")
            #expect(error.reason.contains("No space left on device"))
        }
    }
}
