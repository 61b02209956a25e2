import Foundation

/// A node of the autodiff graph: the gradient accumulated so far and how to pass it on.
final class GradNode: @unchecked Sendable {
    /// Accumulated gradient (leaves keep it; inner nodes drop it once passed on).
    var grad: Tensor?
    /// Nodes of the inputs, aligned with the gradients `backward` returns.
    let inputs: [GradNode?]
    /// Maps the gradient of the output to gradients of the inputs; `nil` for leaves, and
    /// dropped once used, which frees the tensors it saved (like PyTorch without
    /// `retain_graph`).
    var backward: ((Tensor) -> [Tensor?])?
    /// Whether `backward` ran and was dropped.
    var released = false
    /// The op that recorded this node (for `OpProfile`).
    let name: StaticString

    init(inputs: [GradNode?] = [], name: StaticString = "leaf", backward: ((Tensor) -> [Tensor?])? = nil) {
        self.inputs = inputs
        self.name = name
        self.backward = backward
    }

    func accumulate(_ g: Tensor) {
        if var existing = grad {
            grad = nil  // leave `existing` uniquely referenced so it is updated in place
            existing.addInPlace(g)
            grad = existing
        } else {
            grad = g
        }
    }
}

/// Whether ops record the autodiff graph on this thread (off inside `withoutGrad`).
public enum GradMode {
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    /// True unless the calling thread is inside `withoutGrad`.
    public static var isEnabled: Bool { pthread_getspecific(key) == nil }

    /// Runs `body` without recording gradients (inference, optimiser updates).
    public static func withoutGrad<T>(_ body: () throws -> T) rethrows -> T {
        let previous = pthread_getspecific(key)
        pthread_setspecific(key, UnsafeRawPointer(bitPattern: 1))
        defer { pthread_setspecific(key, previous) }
        return try body()
    }
}

/// Runs `body` without recording gradients.
public func withoutGrad<T>(_ body: () throws -> T) rethrows -> T {
    try GradMode.withoutGrad(body)
}

extension Tensor {
    /// Whether gradients flow to (and through) this tensor. Setting it makes the tensor a leaf.
    public var requiresGrad: Bool {
        get { node != nil }
        set { node = newValue ? GradNode() : nil }
    }

    /// The gradient accumulated by `backward()` (leaves only).
    public var grad: Tensor? { node?.grad }

    /// Forgets the accumulated gradient.
    public func zeroGrad() { node?.grad = nil }

    /// Multiplies the accumulated gradient in place (gradient clipping).
    public func scaleGradient(by factor: Float) {
        guard let node, var g = node.grad else { return }
        node.grad = nil  // keep `g` uniquely referenced so the scaling happens in place
        g.scaleInPlace(by: factor)
        node.grad = g
    }

    /// The same values, cut from the graph.
    public func detached() -> Tensor { Tensor(shape: shape, storage: storage) }

    /// Records `backward` for a result computed from `inputs`, when any of them needs a gradient.
    ///
    /// `backward` receives the gradient of the result and returns one gradient per input (or nil
    /// for inputs that need none); it runs with gradient recording off.
    /// `name` (the recording function's, by default) labels the op in `OpProfile`.
    func recording(
        _ inputs: [Tensor], name: StaticString = #function, backward: @escaping (Tensor) -> [Tensor?]
    ) -> Tensor {
        if OpProfile.isEnabled && GradMode.isEnabled { OpProfile.didRecordForward(name) }
        guard GradMode.isEnabled, inputs.contains(where: { $0.node != nil }) else { return self }
        var result = self
        result.node = GradNode(inputs: inputs.map(\.node), name: name, backward: backward)
        return result
    }

    /// Back-propagates from this scalar: adds d(self)/d(leaf) to the `grad` of every leaf.
    public func backward() {
        precondition(count == 1, "backward() needs a scalar, got \(describe(shape))")
        backward(seed: Tensor(Array(repeating: 1, count: count), shape: shape))
    }

    /// Back-propagates a given output gradient `seed` (same shape as this tensor).
    public func backward(seed: Tensor) {
        guard let root = node else {
            preconditionFailure("backward() on a tensor that does not require grad")
        }
        precondition(seed.shape == shape, "seed \(describe(seed.shape)) ≠ \(describe(shape))")
        // Topological order by iterative depth-first search.
        var order: [GradNode] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(GradNode, Bool)] = [(root, false)]
        while let (current, expanded) = stack.popLast() {
            if expanded { order.append(current); continue }
            guard visited.insert(ObjectIdentifier(current)).inserted else { continue }
            stack.append((current, true))
            for case let input? in current.inputs where !visited.contains(ObjectIdentifier(input)) {
                stack.append((input, false))
            }
        }
        GradMode.withoutGrad {
            root.accumulate(seed.detached())
            for current in order.reversed() {
                precondition(!current.released, "backward() through a graph a second time; its saved tensors were freed")
                guard let backward = current.backward, let g = current.grad else { continue }
                current.grad = nil
                current.backward = nil
                current.released = true
                let grads: [Tensor?]
                if OpProfile.isEnabled {
                    let start = OpProfile.threadCPUTime()
                    grads = backward(g)
                    OpProfile.didRunBackward(current.name, seconds: OpProfile.threadCPUTime() - start)
                } else {
                    grads = backward(g)
                }
                for (input, inputGrad) in zip(current.inputs, grads) {
                    if let input, let inputGrad { input.accumulate(inputGrad) }
                }
            }
        }
    }
}
