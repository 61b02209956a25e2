import CSnipKernels

/// Iteration plan for a binary op with NumPy broadcasting: the output shape and, per input, the
/// element strides in the output's index space (0 along broadcast axes), with adjacent axes
/// merged wherever both inputs stay contiguous across them.
struct BroadcastPlan {
    let outputShape: [Int]
    /// Merged axis sizes, outermost first; the last one is the inner loop.
    let sizes: [Int]
    let stridesA: [Int]
    let stridesB: [Int]

    init(_ a: [Int], _ b: [Int]) throws(ShapeError) {
        outputShape = try ShapeCheck.broadcast(a, b)
        let rank = outputShape.count
        func strides(_ shape: [Int]) -> [Int] {
            let padded = [Int](repeating: 1, count: rank - shape.count) + shape
            var result = [Int](repeating: 0, count: rank)
            var step = 1
            for i in stride(from: rank - 1, through: 0, by: -1) {
                result[i] = padded[i] == 1 ? 0 : step
                step *= padded[i]
            }
            return result
        }
        var sizes: [Int] = []
        var sa: [Int] = []
        var sb: [Int] = []
        let fullA = strides(a)
        let fullB = strides(b)
        for i in 0..<rank where outputShape[i] != 1 {
            if let last = sizes.indices.last,
                sa[last] == fullA[i] * outputShape[i], sb[last] == fullB[i] * outputShape[i]
            {
                // axis `last` steps over whole runs of axis i in both inputs: merge them
                sizes[last] *= outputShape[i]
                sa[last] = fullA[i]
                sb[last] = fullB[i]
            } else {
                sizes.append(outputShape[i])
                sa.append(fullA[i])
                sb.append(fullB[i])
            }
        }
        if sizes.isEmpty {
            sizes = [1]
            sa = [0]
            sb = [0]
        }
        self.sizes = sizes
        self.stridesA = sa
        self.stridesB = sb
    }

    /// Calls `body(offsetA, offsetB, offsetOut, n, strideA, strideB)` for each inner run.
    @inline(__always)
    func forEachRun(
        in outer: Range<Int>, _ body: (Int, Int, Int, Int, Int, Int) -> Void
    ) {
        let inner = sizes[sizes.count - 1]
        let innerA = stridesA[sizes.count - 1]
        let innerB = stridesB[sizes.count - 1]
        let outerRank = sizes.count - 1
        for run in outer {
            var rest = run
            var offsetA = 0
            var offsetB = 0
            var axis = outerRank - 1
            while axis >= 0 {
                let i = rest % sizes[axis]
                rest /= sizes[axis]
                offsetA += i * stridesA[axis]
                offsetB += i * stridesB[axis]
                axis -= 1
            }
            body(offsetA, offsetB, run * inner, inner, innerA, innerB)
        }
    }

    /// Number of inner runs.
    var runCount: Int { sizes.dropLast().reduce(1, *) }
}

/// The arithmetic kernels of `snip_binary`.
enum ArithmeticKernel: Int32 {
    case add = 0, subtract, multiply, divide
}

extension Tensor {
    /// Allocates the broadcast result of `a` and `b` and hands `body` its inner runs, in
    /// parallel: `body(a, strideA, b, strideB, out, n)` fills `out[0..<n]` from elements
    /// `a[i·strideA]`, `b[i·strideB]` (strides 0 along broadcast axes). A single long run is
    /// split across threads too.
    @inline(__always)
    static func broadcastRuns(
        _ a: Tensor, _ b: Tensor,
        _ body: (UnsafePointer<Float>, Int, UnsafePointer<Float>, Int, UnsafeMutablePointer<Float>, Int) -> Void
    ) -> Tensor {
        let plan = checked { () throws(ShapeError) in try BroadcastPlan(a.shape, b.shape) }
        let result = Tensor.uninitialized(plan.outputShape)
        let (pa, pb, py) = (
            UnsafeSendable(a.storage.pointer), UnsafeSendable(b.storage.pointer),
            UnsafeSendable(result.storage.pointer)
        )
        let inner = plan.sizes[plan.sizes.count - 1]
        if plan.runCount == 1 {
            let (sa, sb) = (plan.stridesA[0], plan.stridesB[0])
            parallelChunks(inner) { r in
                body(pa.value + r.lowerBound * sa, sa, pb.value + r.lowerBound * sb, sb, py.value + r.lowerBound, r.count)
            }
            return result
        }
        parallelChunks(plan.runCount, cost: inner) { runs in
            plan.forEachRun(in: runs) { oa, ob, oy, n, sa, sb in
                body(pa.value + oa, sa, pb.value + ob, sb, py.value + oy, n)
            }
        }
        return result
    }

    /// `a op b` elementwise with broadcasting through the vectorised C kernel; no autodiff.
    static func arithmetic(_ a: Tensor, _ b: Tensor, _ kernel: ArithmeticKernel) -> Tensor {
        broadcastRuns(a, b) { x, sa, y, sb, out, n in snip_binary(kernel.rawValue, x, sa, y, sb, out, n) }
    }

    /// `op` applied elementwise with broadcasting; no autodiff.
    @inline(__always)
    static func broadcasting(
        _ a: Tensor, _ b: Tensor, _ op: (Float, Float) -> Float
    ) -> Tensor {
        if a.shape == b.shape { return a.zipMap(b, op) }
        return broadcastRuns(a, b) { x, sa, y, sb, out, n in
            switch (sa, sb) {
            case (1, 1): for i in 0..<n { out[i] = op(x[i], y[i]) }
            case (1, 0): let s = y[0]; for i in 0..<n { out[i] = op(x[i], s) }
            case (0, 1): let s = x[0]; for i in 0..<n { out[i] = op(s, y[i]) }
            default: for i in 0..<n { out[i] = op(x[i * sa], y[i * sb]) }
            }
        }
    }

    /// The gradient `g` of a broadcast result summed back to this tensor's `shape`.
    static func unbroadcast(_ g: Tensor, to shape: [Int]) -> Tensor {
        if g.shape == shape { return g }
        let extra = g.rank - shape.count
        var axes = Array(0..<extra)
        for i in 0..<shape.count where shape[i] == 1 && g.shape[i + extra] != 1 {
            axes.append(i + extra)
        }
        return g.sum(axes: axes, keepDims: true).reshaped(shape)
    }
}
