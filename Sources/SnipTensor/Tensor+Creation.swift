extension Tensor {
    /// A tensor filled with `value`.
    public static func full(_ shape: [Int], value: Float) -> Tensor {
        let t = uninitialized(shape)
        t.storage.pointer.initialize(repeating: value, count: t.count)
        return t
    }

    /// A tensor of zeros.
    public static func zeros(_ shape: [Int]) -> Tensor {
        Tensor(shape: shape, storage: .zeros(shape.reduce(1, *)))
    }

    /// A tensor of ones.
    public static func ones(_ shape: [Int]) -> Tensor { full(shape, value: 1) }

    /// Zeros with the shape of `other`.
    public static func zeros(like other: Tensor) -> Tensor { zeros(other.shape) }

    /// `start, start + step, …` up to (not including) `end`, as a 1-D tensor.
    public static func arange(_ start: Float = 0, _ end: Float, step: Float = 1) -> Tensor {
        precondition(step != 0, "arange with step 0")
        let n = Swift.max(0, Int(((end - start) / step).rounded(.up)))
        return Tensor((0..<n).map { start + Float($0) * step })
    }

    /// Independent normal draws with the given mean and standard deviation.
    public static func randomNormal(
        _ shape: [Int], mean: Float = 0, std: Float = 1, using generator: inout SeededGenerator
    ) -> Tensor {
        let t = uninitialized(shape)
        for i in 0..<t.count { t.storage.pointer[i] = mean + std * Float(generator.nextNormal()) }
        return t
    }

    /// Independent uniform draws in [low, high).
    public static func randomUniform(
        _ shape: [Int], low: Float = 0, high: Float = 1, using generator: inout SeededGenerator
    ) -> Tensor {
        let t = uninitialized(shape)
        let width = Double(high - low)
        for i in 0..<t.count {
            t.storage.pointer[i] = low + Float(width * generator.nextUnitDouble())
        }
        return t
    }
}
