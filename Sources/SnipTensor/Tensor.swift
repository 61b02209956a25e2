/// A float32 array of any rank, stored row-major and contiguous, with reverse-mode autodiff.
///
/// `Tensor` is a value: copies share storage until one of them writes (copy-on-write). A tensor
/// that `requiresGrad` carries a node in the autodiff graph; ops on it record how to send
/// gradients back to their inputs, and `backward()` on a scalar result fills `grad` of the leaves.
public struct Tensor: @unchecked Sendable {
    /// Sizes of the axes, outermost first. A scalar has shape `[]`.
    public private(set) var shape: [Int]
    /// The elements, shared between copies until one of them writes.
    public private(set) var storage: TensorStorage
    /// The autodiff node, present when gradients flow through this tensor.
    var node: GradNode?

    /// A tensor over existing storage (no copy); the storage must hold exactly the shape's
    /// element count.
    public init(storage: TensorStorage, shape: [Int]) { self.init(shape: shape, storage: storage) }

    /// A tensor over existing storage (no copy).
    init(shape: [Int], storage: TensorStorage, node: GradNode? = nil) {
        precondition(
            shape.reduce(1, *) == storage.count,
            "shape \(describe(shape)) does not fit \(storage.count) elements")
        self.shape = shape
        self.storage = storage
        self.node = node
    }

    /// A tensor with the given elements, row-major.
    public init(_ values: [Float], shape: [Int]) {
        precondition(
            shape.reduce(1, *) == values.count && shape.allSatisfy { $0 >= 0 },
            "\(values.count) values do not fill shape \(describe(shape))")
        let storage = TensorStorage(count: values.count)
        values.withUnsafeBufferPointer { storage.pointer.initialize(from: $0.baseAddress!, count: values.count) }
        self.init(shape: shape, storage: storage)
    }

    /// A 1-D tensor.
    public init(_ values: [Float]) { self.init(values, shape: [values.count]) }

    /// A 2-D tensor from rows of equal length.
    public init(rows: [[Float]]) {
        let width = rows.first?.count ?? 0
        precondition(rows.allSatisfy { $0.count == width }, "rows of different lengths")
        self.init(rows.flatMap { $0 }, shape: [rows.count, width])
    }

    /// A scalar (rank-0) tensor.
    public init(scalar: Float) { self.init([scalar], shape: []) }

    /// Uninitialised elements; every element must be written before it is read.
    static func uninitialized(_ shape: [Int]) -> Tensor {
        Tensor(shape: shape, storage: TensorStorage(count: shape.reduce(1, *)))
    }

    /// Number of elements.
    public var count: Int { storage.count }
    /// Number of axes.
    public var rank: Int { shape.count }

    /// The elements as a Swift array, row-major.
    public var scalars: [Float] { Array(UnsafeBufferPointer(start: storage.pointer, count: count)) }

    /// The single element of a one-element tensor.
    public var item: Float {
        precondition(count == 1, "item needs a one-element tensor, got \(describe(shape))")
        return storage.pointer[0]
    }

    /// Read access to the elements.
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: storage.pointer, count: count))
    }

    /// Write access to the elements; copies them first when the storage is shared.
    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        return try body(UnsafeMutableBufferPointer(start: storage.pointer, count: count))
    }

    /// The element at a multi-dimensional index.
    public subscript(index: Int...) -> Float {
        get { storage.pointer[flatIndex(index)] }
        set {
            let i = flatIndex(index)
            withUnsafeMutableBufferPointer { $0[i] = newValue }
        }
    }

    private func flatIndex(_ index: [Int]) -> Int {
        precondition(index.count == rank, "index \(index) does not fit shape \(describe(shape))")
        var flat = 0
        for (i, size) in zip(index, shape) {
            precondition(i >= 0 && i < size, "index \(index) is out of bounds for \(describe(shape))")
            flat = flat * size + i
        }
        return flat
    }

    /// Nested Swift arrays are awkward; this gives the rows of a 2-D tensor.
    public var rows: [[Float]] {
        precondition(rank == 2, "rows needs a 2-D tensor, got \(describe(shape))")
        let s = scalars
        return (0..<shape[0]).map { Array(s[$0 * shape[1]..<($0 + 1) * shape[1]]) }
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let values = scalars.prefix(8).map { "\($0)" }.joined(separator: ", ")
        return "Tensor(\(describe(shape)): [\(values)\(count > 8 ? ", …" : "")])"
    }
}
