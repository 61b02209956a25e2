import Foundation

/// A flat, 64-byte aligned buffer of float32 values shared by tensors until one of them writes.
///
/// Tensors hold their storage by reference and copy it before writing when it is shared
/// (copy-on-write), so a `Tensor` behaves as a value.
public final class TensorStorage: @unchecked Sendable {
    /// Number of float32 elements.
    public let count: Int
    /// Start of the elements; valid for the storage's lifetime.
    public let pointer: UnsafeMutablePointer<Float>
    private let release: (@Sendable (UnsafeMutablePointer<Float>) -> Void)?

    /// Allocates uninitialised room for `count` elements.
    public init(count: Int) {
        precondition(count >= 0, "negative element count \(count)")
        self.count = count
        let raw = StoragePool.allocate(max(count, 1) * MemoryLayout<Float>.stride)
        self.pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        self.release = nil
    }

    /// Wraps memory owned elsewhere (a memory-mapped file, say); `release` runs when the storage
    /// dies.
    public init(
        borrowing pointer: UnsafeMutablePointer<Float>, count: Int,
        release: @escaping @Sendable (UnsafeMutablePointer<Float>) -> Void
    ) {
        self.count = count
        self.pointer = pointer
        self.release = release
    }

    deinit {
        if let release {
            release(pointer)
        } else {
            StoragePool.release(UnsafeMutableRawPointer(pointer), bytes: max(count, 1) * MemoryLayout<Float>.stride)
        }
    }

    /// A new storage with the same elements.
    func copy() -> TensorStorage {
        let other = TensorStorage(count: count)
        other.pointer.update(from: pointer, count: count)
        return other
    }

    /// A new zero-filled storage.
    static func zeros(_ count: Int) -> TensorStorage {
        let storage = TensorStorage(count: count)
        storage.pointer.initialize(repeating: 0, count: count)
        return storage
    }
}
