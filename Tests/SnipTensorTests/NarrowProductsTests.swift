import CSnipKernels
import Foundation
import SnipTensor
import Testing
import TestSupport

/// The narrow-product kernel (`snip_narrow_gemm`) against float64 products: each layout it
/// takes, with row and column tails, strided operands, a bias, a ReLU and accumulation onto C;
/// and the shapes it refuses are left to BLAS untouched.
struct NarrowProductsTests {
    /// Whether this CPU has the AVX-512 subsets the kernel needs (the kernel takes products only then).
    static let hasAVX512: Bool = {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
            let flags = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
        else { return false }
        let set = Set(flags.split(separator: " ").map(String.init))
        return ["avx512f", "avx512vl", "avx512bw", "avx512dq"].allSatisfy(set.contains)
    }()

    /// C (m × n, stride ldc) = op(A) · op(B) (+ bias) (+ C0), then max(·, 0) when `relu`, in
    /// float64, from strided row-major operands.
    static func reference(
        ta: Bool, tb: Bool, m: Int, n: Int, k: Int, a: [Float], lda: Int, b: [Float], ldb: Int, bias: [Float]?,
        relu: Bool, c0: [Float]?, ldc: Int
    ) -> [Double] {
        var out = [Double](repeating: 0, count: m * ldc)
        for i in 0..<m {
            for j in 0..<n {
                var total = (c0.map { Double($0[i * ldc + j]) } ?? 0) + (bias.map { Double($0[j]) } ?? 0)
                for p in 0..<k {
                    total += Double(ta ? a[p * lda + i] : a[i * lda + p]) * Double(tb ? b[j * ldb + p] : b[p * ldb + j])
                }
                out[i * ldc + j] = relu ? max(total, 0) : total
            }
        }
        return out
    }

    static func values(_ count: Int, seed: UInt64) -> [Float] { randomTensor([count], seed: seed).scalars }

    /// The two narrow kernels: same signature, same contract, float32 or bfloat16 operands.
    enum Kernel: String, CaseIterable, Sendable {
        case float32, bfloat16

        /// Calls the kernel on arrays (a nil bias: none); returns what it returns.
        func callAsFunction(
            _ ta: Bool, _ tb: Bool, _ m: Int, _ n: Int, _ k: Int, a: [Float], lda: Int, b: [Float], ldb: Int,
            bias: [Float]?, relu: Bool, add: Bool, c: inout [Float], ldc: Int
        ) -> Int32 {
            let product = self == .float32 ? snip_narrow_gemm : snip_narrow_gemm_bf16
            return a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    (bias ?? []).withUnsafeBufferPointer { pbias in
                        c.withUnsafeMutableBufferPointer { pc in
                            product(
                                ta ? 1 : 0, tb ? 1 : 0, m, n, k, pa.baseAddress, lda, pb.baseAddress, ldb,
                                bias == nil ? nil : pbias.baseAddress, relu ? 1 : 0, add ? 1 : 0, pc.baseAddress, ldc)
                        }
                    }
                }
            }
        }
    }

    @Test(arguments: [
        // (transpose A, transpose B, m, n, k): tails of 1–7 rows, one- and two-vector column blocks
        (false, true, 37, 48, 19), (false, true, 8, 16, 1), (false, true, 203, 256, 64),
        (false, false, 45, 64, 256), (false, false, 1, 32, 7), (false, false, 130, 208, 33),
        (true, false, 64, 64, 1000), (true, false, 13, 80, 300), (true, false, 256, 64, 517),
    ])
    func takesItsShapesAndMatchesFloat64(_ shape: (Bool, Bool, Int, Int, Int)) {
        let (ta, tb, m, n, k) = shape
        // leading dimensions past the packed widths: the kernel must honour them
        let lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 5, ldc = n + 16
        let a = Self.values((ta ? k : m) * lda, seed: UInt64(m * 7 + k))
        let b = Self.values((tb ? n : k) * ldb, seed: UInt64(n * 11 + k))
        let bias = Self.values(n, seed: 77)
        // (accumulate onto C, add the bias, ReLU)
        for (add, withBias, relu) in [(false, false, false), (true, false, false), (false, true, true), (true, true, false)] {
            let c0 = Self.values(m * ldc, seed: 99)
            var c = c0
            let taken = Kernel.float32(
                ta, tb, m, n, k, a: a, lda: lda, b: b, ldb: ldb, bias: withBias ? bias : nil, relu: relu, add: add,
                c: &c, ldc: ldc)
            #expect((taken == 1) == Self.hasAVX512, "\(shape)")
            #expect(snip_narrow_gemm_accepts(ta ? 1 : 0, tb ? 1 : 0, m, n, k) == taken)
            guard taken == 1 else {
                #expect(c == c0, "a refused product wrote C")
                continue
            }
            let expected = Self.reference(
                ta: ta, tb: tb, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, bias: withBias ? bias : nil,
                relu: relu, c0: add ? c0 : nil, ldc: ldc)
            if relu { #expect(expected.contains(0) && c.prefix(n).allSatisfy { $0 >= 0 }) }
            var worst = 0.0
            for i in 0..<m {
                for j in 0..<ldc {
                    if j < n {
                        worst = max(worst, abs(Double(c[i * ldc + j]) - expected[i * ldc + j]))
                    } else {
                        // the padding between rows of C is not written
                        #expect(c[i * ldc + j] == c0[i * ldc + j], "\(shape): wrote past column \(n)")
                    }
                }
            }
            // float32 sums of k products of numbers in [-1, 1]
            #expect(worst <= 1e-6 * Double(k + 2) * 4, "\(shape) \((add, withBias, relu)): largest error \(worst)")
        }
    }

    /// Shapes the kernels refuse are left to BLAS, C untouched (both kernels).
    @Test(arguments: Kernel.allCases)
    func leavesOtherShapesToBLAS(_ kernel: Kernel) {
        var c = [Float](repeating: 7, count: 64 * 64)
        let a = Self.values(64 * 1024, seed: 1), b = Self.values(1024 * 128, seed: 2)
        func attempt(_ ta: Bool, _ tb: Bool, _ m: Int, _ n: Int, _ k: Int) -> Int32 {
            kernel(
                ta, tb, m, n, k, a: a, lda: tb ? k : n, b: b, ldb: n, bias: nil, relu: false, add: false, c: &c,
                ldc: n)
        }
        #expect(attempt(false, true, 8, 40, 16) == 0)  // n not a multiple of 16
        #expect(attempt(true, true, 16, 16, 16) == 0)  // Aᵀ·Bᵀ
        #expect(attempt(false, false, 8, 128, 1024) == 0)  // B of 512 KB
        #expect(attempt(false, false, 0, 16, 16) == 0 && attempt(false, false, 16, 16, 0) == 0)  // empty
        #expect(c.allSatisfy { $0 == 7 })
    }

    /// A linear layer and its gradients give the same numbers with and without the kernel (to
    /// float32 rounding): the switch between kernel and BLAS is invisible to the model.
    @Test func aLinearLayerAgreesWithFloat64() {
        let (rows, inputs, outputs) = (301, 64, 192)
        var x = randomTensor([rows, inputs], seed: 21)
        var w = randomTensor([outputs, inputs], seed: 22)
        x.requiresGrad = true
        w.requiresGrad = true
        let upstream = randomTensor([rows, outputs], seed: 23)
        let y = Tensor.linearReLU(x, weight: w, bias: randomTensor([outputs], seed: 24))
        y.backward(seed: upstream)
        let forward = y.scalars
        #expect(forward.allSatisfy { $0 >= 0 } && forward.contains { $0 > 0.5 })
        let xs = x.scalars.map(Double.init), ws = w.scalars.map(Double.init)
        // dX from the masked upstream, against float64
        let mask = forward.map { $0 > 0 ? 1.0 : 0.0 }
        let g = zip(upstream.scalars, mask).map { Double($0) * $1 }
        let dx = MatmulTests.naive(g, ws, batch: 1, m: rows, n: inputs, k: outputs, ta: false, tb: false, sharedB: false)
        ProductSplittingTests.expectClose(x.grad!.scalars, dx, tolerance: 4e-6 * Double(outputs), "dx")
        let dw = MatmulTests.naive(g, xs, batch: 1, m: outputs, n: inputs, k: rows, ta: true, tb: false, sharedB: false)
        ProductSplittingTests.expectClose(w.grad!.scalars, dw, tolerance: 4e-6 * Double(rows), "dweight")
    }
}
