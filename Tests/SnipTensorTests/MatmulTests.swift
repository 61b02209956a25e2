import SnipTensor
import Testing
import TestSupport

struct MatmulTests {
    /// Naive float64 product of [batch, m, k]·[batch, k, n] with optional transposes.
    static func naive(
        _ a: [Double], _ b: [Double], batch: Int, m: Int, n: Int, k: Int, ta: Bool, tb: Bool, sharedB: Bool
    ) -> [Double] {
        var out: [Double] = []
        for s in 0..<batch {
            let ao = s * m * k
            let bo = sharedB ? 0 : s * k * n
            for i in 0..<m {
                for j in 0..<n {
                    var total = 0.0
                    for p in 0..<k {
                        let x = ta ? a[ao + p * m + i] : a[ao + i * k + p]
                        let y = tb ? b[bo + j * k + p] : b[bo + p * n + j]
                        total += x * y
                    }
                    out.append(total)
                }
            }
        }
        return out
    }

    @Test(arguments: [(false, false), (false, true), (true, false), (true, true)])
    func twoDimensionalWithTransposeFlags(_ flags: (Bool, Bool)) {
        let (ta, tb) = flags
        let (m, n, k) = (3, 5, 4)
        let a = randomTensor(ta ? [k, m] : [m, k], seed: 1)
        let b = randomTensor(tb ? [n, k] : [k, n], seed: 2)
        checkGradients(
            [a, b], forward: { Tensor.matmul($0[0], $0[1], transposeA: ta, transposeB: tb) },
            reference: { Self.naive($0[0], $0[1], batch: 1, m: m, n: n, k: k, ta: ta, tb: tb, sharedB: false) })
    }

    @Test(arguments: [(false, false), (false, true), (true, false), (true, true)])
    func batchedAndSharedRightOperand(_ flags: (Bool, Bool)) {
        let (ta, tb) = flags
        let (batch, m, n, k) = (3, 2, 4, 5)
        let a = randomTensor(ta ? [batch, k, m] : [batch, m, k], seed: 3)
        let b = randomTensor(tb ? [batch, n, k] : [batch, k, n], seed: 4)
        checkGradients(
            [a, b], forward: { Tensor.matmul($0[0], $0[1], transposeA: ta, transposeB: tb) },
            reference: { Self.naive($0[0], $0[1], batch: batch, m: m, n: n, k: k, ta: ta, tb: tb, sharedB: false) })
        let shared = randomTensor(tb ? [n, k] : [k, n], seed: 5)
        checkGradients(
            [a, shared], forward: { Tensor.matmul($0[0], $0[1], transposeA: ta, transposeB: tb) },
            reference: { Self.naive($0[0], $0[1], batch: batch, m: m, n: n, k: k, ta: ta, tb: tb, sharedB: true) })
    }

    @Test func fourDimensionalBatches() {
        let a = randomTensor([2, 3, 4, 5], seed: 6)
        let b = randomTensor([2, 3, 4, 5], seed: 7)
        // attention scores: a·bᵀ per (batch, head)
        checkGradients(
            [a, b], forward: { Tensor.matmul($0[0], $0[1], transposeB: true) },
            reference: { Self.naive($0[0], $0[1], batch: 6, m: 4, n: 4, k: 5, ta: false, tb: true, sharedB: false) })
    }

    @Test func linearUsesThePyTorchWeightLayout() {
        let x = randomTensor([2, 3, 4], seed: 8)
        let w = randomTensor([5, 4], seed: 9)
        let b = randomTensor([5], seed: 10)
        checkGradients(
            [x, w, b], forward: { Tensor.linear($0[0], weight: $0[1], bias: $0[2]) },
            reference: { v in
                Self.naive(v[0], v[1], batch: 1, m: 6, n: 5, k: 4, ta: false, tb: true, sharedB: true)
                    .enumerated().map { $0.element + v[2][$0.offset % 5] }
            })
        checkGradients(
            [x, w], forward: { Tensor.linear($0[0], weight: $0[1], bias: nil) },
            reference: { v in Self.naive(v[0], v[1], batch: 1, m: 6, n: 5, k: 4, ta: false, tb: true, sharedB: true) })
    }

    /// The fused linear+ReLU against the float64 definition (gradients by finite differences,
    /// inputs kept away from the kink) and against `linear(…).relu()`, which it replaces.
    @Test func linearReLUMatchesNaiveAndTheUnfusedOps() {
        let x = randomTensor([3, 4], seed: 11)
        let w = randomTensor([6, 4], seed: 12)
        let b = randomTensor([6], seed: 13)
        checkGradients(
            [x, w, b], forward: { Tensor.linearReLU($0[0], weight: $0[1], bias: $0[2]) },
            reference: { v in
                Self.naive(v[0], v[1], batch: 1, m: 3, n: 6, k: 4, ta: false, tb: true, sharedB: true)
                    .enumerated().map { max($0.element + v[2][$0.offset % 6], 0) }
            })
        // a larger product with a threaded mask: the same values as the two ops
        var xs = randomTensor([300, 64], seed: 14)
        var ws = randomTensor([256, 64], seed: 15)
        var bs = randomTensor([256], seed: 16)
        let upstream = randomTensor([300, 256], seed: 17)
        func run(_ body: () -> Tensor) -> [[Float]] {
            for i in [0, 1, 2] { [xs, ws, bs][i].zeroGrad() }
            let y = body()
            y.backward(seed: upstream)
            return [y.scalars, xs.grad!.scalars, ws.grad!.scalars, bs.grad!.scalars]
        }
        xs.requiresGrad = true
        ws.requiresGrad = true
        bs.requiresGrad = true
        let fused = run { Tensor.linearReLU(xs, weight: ws, bias: bs) }
        let unfused = run { Tensor.linear(xs, weight: ws, bias: bs).relu() }
        for (i, what) in ["output", "dx", "dweight", "dbias"].enumerated() {
            #expect(fused[i] == unfused[i], "\(what)")
        }
    }

    @Test func shapeErrorsNameBothShapes() {
        do {
            _ = try ShapeCheck.matmul([2, 3], [4, 5])
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("[2, 3]") && error.message.contains("[4, 5]"))
        }
        #expect(throws: ShapeError.self) { try ShapeCheck.matmul([2, 3, 4], [3, 4, 5]) }
        #expect(throws: ShapeError.self) { try ShapeCheck.linear([2, 3], weight: [4, 2], bias: nil) }
        #expect((try? ShapeCheck.matmul([2, 3, 4], [4, 5])) == [2, 3, 5])
    }

    @Test func largeProductMatchesNaive() {
        let a = randomTensor([130, 70], seed: 11)
        let b = randomTensor([70, 90], seed: 12)
        let reference = Self.naive(
            a.scalars.map(Double.init), b.scalars.map(Double.init), batch: 1, m: 130, n: 90, k: 70,
            ta: false, tb: false, sharedB: false)
        assertClose(a.matmul(b), reference, shape: [130, 90], rtol: 1e-4, atol: 1e-4)
    }
}
