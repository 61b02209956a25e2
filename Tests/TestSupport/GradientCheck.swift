import SnipTensor
import Testing

/// A float64 reference of an op: flat, row-major input arrays in, flat output out.
public typealias ReferenceOp = ([[Double]]) -> [Double]

/// Checks an op's forward values and its backward pass against a naive float64 reference.
///
/// 1. `forward` (the library op, float32) must agree with `reference` on the inputs.
/// 2. With a fixed random upstream gradient `w`, the autodiff gradient of `Σ forward(x)·w` with
///    respect to each input in `differentiable` must agree with central finite differences of
///    `Σ reference(x)·w`, taken in float64 (step `h` relative to each element's size), so the
///    finite differences themselves are accurate to ~1e-9 and the tolerance only has to cover
///    float32 rounding in the library.
public func checkGradients(
    _ inputs: [Tensor], differentiable: Set<Int>? = nil, seed: UInt64 = 7,
    forwardRTol: Double = 1e-5, forwardATol: Double = 1e-6,
    gradientRTol: Double = 1e-3, gradientATol: Double = 1e-4, h: Double = 1e-6,
    forward: ([Tensor]) -> Tensor, reference: ReferenceOp,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let wanted = differentiable ?? Set(inputs.indices)
    var leaves = inputs
    for i in wanted { leaves[i].requiresGrad = true }
    let output = forward(leaves)
    let values = inputs.map { $0.scalars.map(Double.init) }
    let expected = reference(values)
    assertClose(
        output.scalars, expected, rtol: forwardRTol, atol: forwardATol, "forward",
        sourceLocation: sourceLocation)

    var generator = SeededGenerator(seed: seed)
    let weights = Tensor.randomUniform(output.shape, low: -1, high: 1, using: &generator)
    let w = weights.scalars.map(Double.init)
    (output * weights).sum().backward()

    func loss(_ x: [[Double]]) -> Double {
        zip(reference(x), w).reduce(0) { $0 + $1.0 * $1.1 }
    }
    for i in wanted.sorted() {
        guard let grad = leaves[i].grad else {
            Issue.record("input \(i) received no gradient", sourceLocation: sourceLocation)
            continue
        }
        var numeric = [Double](repeating: 0, count: values[i].count)
        var x = values
        for j in values[i].indices {
            let step = h * max(1, abs(values[i][j]))
            x[i][j] = values[i][j] + step
            let up = loss(x)
            x[i][j] = values[i][j] - step
            let down = loss(x)
            x[i][j] = values[i][j]
            numeric[j] = (up - down) / (2 * step)
        }
        if grad.shape != inputs[i].shape {
            Issue.record(
                "gradient of input \(i) has shape \(grad.shape), expected \(inputs[i].shape)",
                sourceLocation: sourceLocation)
        }
        assertClose(
            grad.scalars, numeric, rtol: gradientRTol, atol: gradientATol, "gradient of input \(i)",
            sourceLocation: sourceLocation)
    }
}

/// Random test inputs: uniform in [low, high), from a fixed seed.
public func randomTensor(
    _ shape: [Int], low: Float = -1, high: Float = 1, seed: UInt64
) -> Tensor {
    var generator = SeededGenerator(seed: seed)
    return Tensor.randomUniform(shape, low: low, high: high, using: &generator)
}

/// Random inputs kept at least `gap` away from the given points (for ops with kinks).
public func randomTensor(
    _ shape: [Int], low: Float = -1, high: Float = 1, avoiding points: [Float], gap: Float = 0.05,
    seed: UInt64
) -> Tensor {
    var generator = SeededGenerator(seed: seed)
    var values: [Float] = []
    while values.count < shape.reduce(1, *) {
        let v = low + (high - low) * Float(generator.nextUnitDouble())
        if points.allSatisfy({ abs(v - $0) >= gap }) { values.append(v) }
    }
    return Tensor(values, shape: shape)
}
