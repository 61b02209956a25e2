import CSnipKernels
import Foundation
import SnipTensor
import TestSupport
import Testing

/// The bfloat16 narrow-product kernel (`snip_narrow_gemm_bf16`): exactly the float64 product
/// of the operands rounded to bfloat16 (to float32 sums), for each layout it takes, with odd
/// inner dimensions, tails, strides, bias, ReLU, accumulation and several chunks of a long
/// inner dimension; refused CPUs untouched (refused shapes: NarrowProductsTests).
struct NarrowProductsBFloat16Tests {
    /// Whether this CPU has AVX-512 BF16 (the kernel takes products only then).
    static let hasBFloat16: Bool = {
        guard NarrowProductsTests.hasAVX512,
            let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
            let flags = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
        else { return false }
        return flags.split(separator: " ").contains("avx512_bf16")
    }()

    /// Whether this CPU has AMX-BF16 tiles (the kernel then runs its products on them).
    static let hasAMX: Bool = {
        guard hasBFloat16, let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
            let flags = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
        else { return false }
        let names = flags.split(separator: " ")
        return names.contains("amx_bf16") && names.contains("amx_tile")
    }()

    @Test func runsOnAMXTilesWhereTheCPUHasThem() {
        // SNIP_AMX=0 keeps the AVX-512 BF16 kernel
        let switchedOff = ProcessInfo.processInfo.environment["SNIP_AMX"] == "0"
        #expect((snip_narrow_gemm_bf16_uses_amx() == 1) == (Self.hasAMX && !switchedOff))
    }

    /// x rounded to the nearest bfloat16 (ties to even), as a float.
    static func bfloat16(_ x: Float) -> Float {
        let bits = x.bitPattern
        let rounded = (bits &+ 0x7fff &+ ((bits >> 16) & 1)) & 0xffff_0000
        return Float(bitPattern: rounded)
    }

    @Test func roundsToNearestEven() {
        #expect(Self.bfloat16(1) == 1)
        #expect(Self.bfloat16(1 + 1.0 / 256) == 1)  // a tie: to the even 1
        #expect(Self.bfloat16(1 + 3.0 / 256) == 1 + 4.0 / 256)  // a tie: to the even 1 + 2⁻⁶
        #expect(Self.bfloat16(1 + 1.0 / 200) == 1 + 1.0 / 128)
    }

    @Test(arguments: [
        // (transpose A, transpose B, m, n, k): odd k, row tails, one- and two-vector column blocks
        (false, true, 37, 48, 19), (false, true, 8, 16, 1), (false, true, 203, 256, 64),
        (false, false, 45, 64, 256), (false, false, 1, 32, 7), (false, false, 130, 208, 33),
        // Aᵀ·B: one chunk, and three chunks of 1,024 rows at n = 64, the last one odd (on AMX:
        // chunks of 512 rows, rows of C padded to 32, an odd last pair)
        (true, false, 64, 64, 1000), (true, false, 13, 80, 301), (true, false, 21, 64, 3001),
        (true, false, 40, 16, 1537),
        // on AMX: panels of 32 rows of which the last has 1 or 17, inner dimensions padded to 32
        (false, false, 33, 16, 40), (false, true, 49, 96, 130),
    ])
    func matchesTheProductOfRoundedOperands(_ shape: (Bool, Bool, Int, Int, Int)) {
        let (ta, tb, m, n, k) = shape
        let lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 5, ldc = n + 16
        let a = NarrowProductsTests.values((ta ? k : m) * lda, seed: UInt64(m * 7 + k))
        let b = NarrowProductsTests.values((tb ? n : k) * ldb, seed: UInt64(n * 11 + k))
        let bias = NarrowProductsTests.values(n, seed: 77)
        for (add, withBias, relu) in [
            (false, false, false), (true, false, false), (false, true, true), (true, true, false),
        ] {
            let c0 = NarrowProductsTests.values(m * ldc, seed: 99)
            var c = c0
            let taken = NarrowProductsTests.Kernel.bfloat16(
                ta, tb, m, n, k, a: a, lda: lda, b: b, ldb: ldb, bias: withBias ? bias : nil,
                relu: relu,
                add: add, c: &c, ldc: ldc)
            #expect((taken == 1) == Self.hasBFloat16, "\(shape)")
            #expect(snip_narrow_gemm_bf16_accepts(ta ? 1 : 0, tb ? 1 : 0, m, n, k) == taken)
            guard taken == 1 else {
                #expect(c == c0, "a refused product wrote C")
                continue
            }
            // bias and C stay float32; only the operands are rounded
            let rounded = NarrowProductsTests.reference(
                ta: ta, tb: tb, m: m, n: n, k: k, a: a.map(Self.bfloat16), lda: lda,
                b: b.map(Self.bfloat16), ldb: ldb,
                bias: withBias ? bias : nil, relu: relu, c0: add ? c0 : nil, ldc: ldc)
            let exact = NarrowProductsTests.reference(
                ta: ta, tb: tb, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb,
                bias: withBias ? bias : nil,
                relu: relu, c0: add ? c0 : nil, ldc: ldc)
            var worst = 0.0, worstExact = 0.0
            for i in 0..<m {
                for j in 0..<ldc {
                    if j < n {
                        worst = max(worst, abs(Double(c[i * ldc + j]) - rounded[i * ldc + j]))
                        worstExact = max(
                            worstExact, abs(Double(c[i * ldc + j]) - exact[i * ldc + j]))
                    } else {
                        #expect(
                            c[i * ldc + j] == c0[i * ldc + j], "\(shape): wrote past column \(n)")
                    }
                }
            }
            // float32 sums of k exact products of bfloat16 numbers in [-1, 1]
            #expect(
                worst <= 1e-6 * Double(k + 2) * 4,
                "\(shape) \((add, withBias, relu)): largest error \(worst)")
            // and the rounding shows against the unrounded operands (bfloat16 keeps 8 bits), within
            // its bound: each term off by at most 2 · 2⁻⁹ of its size
            if k >= 7 {
                #expect(worstExact > 1e-6 * Double(k + 2) * 4, "\(shape): no sign of rounding")
            }
            #expect(
                worstExact <= Double(k) * 2.0 / 512 + 1e-6 * Double(k + 2) * 4,
                "\(shape): \(worstExact)")
        }
    }
}
