import SnipTensor

/// A trainable tensor owned by a module; optimisers update `value` in place.
///
/// A reference type, so that a module, an optimiser and a checkpoint loader all see the same
/// parameter. Its `value` is a gradient leaf.
public final class Parameter: @unchecked Sendable {
    /// The current value (a leaf that requires grad).
    public var value: Tensor {
        didSet { if !value.requiresGrad { value.requiresGrad = true } }
    }

    /// Wraps `value` as a trainable leaf.
    public init(_ value: Tensor) {
        var leaf = value.detached()
        leaf.requiresGrad = true
        self.value = leaf
    }

    /// The gradient accumulated by the last `backward()` calls.
    public var grad: Tensor? { value.grad }

    /// The parameter's shape.
    public var shape: [Int] { value.shape }
}
