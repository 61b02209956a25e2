import Foundation

/// A whole file mapped into memory (private, copy-on-write), unmapped when the last tensor
/// borrowing from it dies.
final class MappedFile: @unchecked Sendable {
    let path: String
    let base: UnsafeMutableRawPointer
    let count: Int

    init(path: String) throws(CheckpointError) {
        self.path = path
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw CheckpointError(path: path, String(cString: strerror(errno))) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw CheckpointError(path: path, String(cString: strerror(errno))) }
        count = Int(info.st_size)
        guard count > 0 else { throw CheckpointError(path: path, "the file is empty") }
        let mapped = mmap(nil, count, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0)
        guard let mapped, mapped != MAP_FAILED else {
            throw CheckpointError(path: path, "cannot map the file: \(String(cString: strerror(errno)))")
        }
        base = mapped
    }

    deinit { munmap(base, count) }

    /// The bytes `range` as a buffer (bounds already checked by the caller).
    func bytes(_ range: Range<Int>) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base + range.lowerBound, count: range.count)
    }

    /// A little-endian integer at `offset`.
    func read<T: FixedWidthInteger>(_ type: T.Type, at offset: Int) -> T {
        var value: T = 0
        withUnsafeMutableBytes(of: &value) { $0.copyMemory(from: UnsafeRawBufferPointer(start: base + offset, count: MemoryLayout<T>.size)) }
        return T(littleEndian: value)
    }

    /// float32 elements at `offset`, borrowed from the mapping when aligned, copied otherwise.
    func floatStorage(at offset: Int, count elements: Int) -> TensorStorageHandle {
        if (Int(bitPattern: base) + offset) % MemoryLayout<Float>.alignment == 0 {
            let pointer = (base + offset).bindMemory(to: Float.self, capacity: elements)
            return .borrowed(pointer, owner: self)
        }
        var values = [Float](repeating: 0, count: elements)
        values.withUnsafeMutableBytes { $0.copyMemory(from: UnsafeRawBufferPointer(start: base + offset, count: elements * 4)) }
        return .copied(values)
    }
}

/// Elements for a tensor read from a file: borrowed from a mapping, or copied out.
enum TensorStorageHandle {
    case borrowed(UnsafeMutablePointer<Float>, owner: MappedFile)
    case copied([Float])
}
