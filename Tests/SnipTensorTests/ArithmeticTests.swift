import SnipTensor
import Testing
import TestSupport

/// Binary ops with broadcasting, against a naive float64 broadcast.
struct ArithmeticTests {
    /// Naive NumPy broadcasting in float64.
    static func broadcastReference(
        _ a: [Double], _ sa: [Int], _ b: [Double], _ sb: [Int], _ op: (Double, Double) -> Double
    ) -> [Double] {
        let rank = max(sa.count, sb.count)
        let pa = [Int](repeating: 1, count: rank - sa.count) + sa
        let pb = [Int](repeating: 1, count: rank - sb.count) + sb
        let out = zip(pa, pb).map { max($0, $1) }
        let n = out.reduce(1, *)
        var result: [Double] = []
        for flat in 0..<n {
            var rest = flat
            var ia = 0, ib = 0, stepA = 1, stepB = 1
            for axis in stride(from: rank - 1, through: 0, by: -1) {
                let i = rest % out[axis]
                rest /= out[axis]
                ia += (pa[axis] == 1 ? 0 : i) * stepA
                ib += (pb[axis] == 1 ? 0 : i) * stepB
                stepA *= pa[axis]
                stepB *= pb[axis]
            }
            result.append(op(a[ia], b[ib]))
        }
        return result
    }

    static let shapes: [([Int], [Int])] = [
        ([2, 3], [2, 3]), ([2, 3], [3]), ([4, 1], [1, 5]), ([2, 3, 4], [3, 1]),
        ([3], [2, 1, 3]), ([2, 3], []), ([], [4]), ([1, 3, 1], [2, 1, 4]),
    ]

    @Test(arguments: shapes.indices)
    func addSubMulDivWithBroadcasting(_ index: Int) {
        let (sa, sb) = Self.shapes[index]
        let a = randomTensor(sa, low: -2, high: 2, seed: UInt64(index * 2 + 1))
        let b = randomTensor(sb, low: 0.5, high: 2, seed: UInt64(index * 2 + 2))
        let ops: [(Tensor, Tensor) -> Tensor] = [(+), (-), (*), (/)]
        let refs: [(Double, Double) -> Double] = [(+), (-), (*), (/)]
        for (op, ref) in zip(ops, refs) {
            checkGradients(
                [a, b], forward: { op($0[0], $0[1]) },
                reference: { Self.broadcastReference($0[0], sa, $0[1], sb, ref) })
        }
    }

    @Test func broadcastShapeErrorsAreReported() {
        #expect(throws: ShapeError.self) { try ShapeCheck.broadcast([2, 3], [4]) }
        #expect((try? ShapeCheck.broadcast([5, 1, 3], [4, 1])) == [5, 4, 3])
        do {
            _ = try ShapeCheck.broadcast([2, 3], [4])
        } catch {
            #expect(error.message == "shapes [2, 3] and [4] cannot be broadcast together")
        }
    }

    @Test func gradientsAccumulateAcrossUses() {
        var x = Tensor([1, 2, 3])
        x.requiresGrad = true
        // y = x*x + 3x → dy/dx = 2x + 3
        ((x * x) + (x * 3)).sum().backward()
        #expect(x.grad?.scalars == [5, 7, 9])
        // a second backward adds to the stored gradient
        (x * 2).sum().backward()
        #expect(x.grad?.scalars == [7, 9, 11])
        x.zeroGrad()
        #expect(x.grad == nil)
    }

    @Test func inPlaceUpdatesDoNotLeakIntoCopies() {
        var a = Tensor([1, 2, 3])
        let b = a
        a.addInPlace(Tensor([1, 1, 1]))
        #expect(a.scalars == [2, 3, 4])
        #expect(b.scalars == [1, 2, 3])
        var c = a
        c[1] = 10
        #expect(a.scalars == [2, 3, 4])
        #expect(c.scalars == [2, 10, 4])
    }
}
