import CBLAS

/// Dense float64 linear algebra for the language: the matrix product on BLAS's dgemm, and
/// solve / inv / det on LAPACK's LU (dgesv, dgetrf), each beside a plain Swift version that
/// small matrices use and the tests compare against.
// A row-major m×k, B row-major k×n, C row-major m×n; LU works on n×n matrices.
enum LinearAlgebra {
    /// Products of fewer multiply-adds than this stay in Swift (loading OpenBLAS starts its
    /// thread pool, which a 3×3 product does not need).
    static let blasThreshold = 32 * 32 * 32

    /// C = A B.
    static func product(_ a: [Double], _ b: [Double], m: Int, k: Int, n: Int) -> [Double] {
        if m * k * n < blasThreshold || m == 0 || n == 0 || k == 0 {
            return productNaive(a, b, m: m, k: k, n: n)
        }
        var c = [Double](repeating: 0, count: m * n)
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    snip_blas_dgemm(Int32(SnipBLASRowMajor), Int32(SnipBLASNoTranspose), Int32(SnipBLASNoTranspose),
                                    Int32(m), Int32(n), Int32(k), 1, pa.baseAddress, Int32(k), pb.baseAddress,
                                    Int32(n), 0, pc.baseAddress, Int32(n))
                }
            }
        }
        return c
    }

    /// C = A B by three loops (i, p, j order, so the inner loop runs along rows).
    static func productNaive(_ a: [Double], _ b: [Double], m: Int, k: Int, n: Int) -> [Double] {
        var c = [Double](repeating: 0, count: m * n)
        for i in 0..<m {
            for p in 0..<k {
                let x = a[i * k + p]
                if x == 0 { continue }
                for j in 0..<n { c[i * n + j] += x * b[p * n + j] }
            }
        }
        return c
    }

    /// Why a matrix could not be solved or inverted.
    enum Failure: Error {
        case singular
    }

    /// X with A X = B (A n×n, B n×r, both row-major).
    static func solve(_ a: [Double], _ b: [Double], n: Int, columns r: Int) throws(Failure) -> [Double] {
        if n >= 32 {
            // LAPACK is column-major: A row-major is Aᵀ column-major, so pass a transposed copy.
            var at = transposed(a, rows: n, columns: n)
            var x = transposed(b, rows: n, columns: r)
            var pivots = [Int32](repeating: 0, count: n)
            let info = snip_lapack_dgesv(Int32(n), Int32(r), &at, Int32(n), &pivots, &x, Int32(n))
            if info == 0 { return transposed(x, rows: r, columns: n) }
            if info > 0 { throw .singular }
        }
        return try solveNaive(a, b, n: n, columns: r)
    }

    /// X with A X = B by Gaussian elimination with partial pivoting.
    static func solveNaive(_ a: [Double], _ b: [Double], n: Int, columns r: Int) throws(Failure) -> [Double] {
        let (lu, pivots, _) = try factor(a, n: n)
        var x = b
        // apply the row swaps, then forward and back substitution
        for i in 0..<n where pivots[i] != i {
            for j in 0..<r { x.swapAt(i * r + j, pivots[i] * r + j) }
        }
        for i in 0..<n {
            for p in 0..<i {
                let l = lu[i * n + p]
                if l != 0 { for j in 0..<r { x[i * r + j] -= l * x[p * r + j] } }
            }
        }
        for i in stride(from: n - 1, through: 0, by: -1) {
            for p in (i + 1)..<max(i + 1, n) {
                let u = lu[i * n + p]
                if u != 0 { for j in 0..<r { x[i * r + j] -= u * x[p * r + j] } }
            }
            let d = lu[i * n + i]
            for j in 0..<r { x[i * r + j] /= d }
        }
        return x
    }

    /// The determinant of A (n×n, row-major).
    static func determinant(_ a: [Double], n: Int) -> Double {
        if n == 0 { return 1 }
        if n >= 32 {
            var lu = a  // row-major A is Aᵀ column-major, and det Aᵀ = det A
            var pivots = [Int32](repeating: 0, count: n)
            let info = snip_lapack_dgetrf(Int32(n), Int32(n), &lu, Int32(n), &pivots)
            if info > 0 { return 0 }
            if info == 0 {
                var d = 1.0
                for i in 0..<n {
                    d *= lu[i * n + i]
                    if pivots[i] != Int32(i + 1) { d = -d }
                }
                return d
            }
        }
        return determinantNaive(a, n: n)
    }

    /// The determinant by Gaussian elimination with partial pivoting.
    static func determinantNaive(_ a: [Double], n: Int) -> Double {
        guard let (lu, _, sign) = try? factor(a, n: n) else { return 0 }
        var d = sign
        for i in 0..<n { d *= lu[i * n + i] }
        return d
    }

    /// The LU factors of A (row-major, L below the diagonal with ones on it), the row swapped
    /// into place at each step, and the sign of the permutation.
    private static func factor(_ a: [Double], n: Int) throws(Failure) -> ([Double], [Int], Double) {
        var lu = a
        var pivots = [Int](repeating: 0, count: n)
        var sign = 1.0
        for c in 0..<n {
            var best = c
            for i in (c + 1)..<max(c + 1, n) where abs(lu[i * n + c]) > abs(lu[best * n + c]) { best = i }
            pivots[c] = best
            if lu[best * n + c] == 0 { throw .singular }
            if best != c {
                for j in 0..<n { lu.swapAt(c * n + j, best * n + j) }
                sign = -sign
            }
            let d = lu[c * n + c]
            for i in (c + 1)..<max(c + 1, n) {
                let l = lu[i * n + c] / d
                lu[i * n + c] = l
                if l != 0 { for j in (c + 1)..<n { lu[i * n + j] -= l * lu[c * n + j] } }
            }
        }
        return (lu, pivots, sign)
    }

    /// The transpose of a row-major rows×columns matrix.
    static func transposed(_ a: [Double], rows: Int, columns: Int) -> [Double] {
        var t = [Double](repeating: 0, count: a.count)
        for i in 0..<rows { for j in 0..<columns { t[j * rows + i] = a[i * columns + j] } }
        return t
    }
}

extension Builtins {
    static let linearAlgebra: [Builtin] = [
        Builtin("solve", .arrays, [.req("a"), .req("b")],
                doc: "The x with a @ x == b: a is an n×n matrix, b a vector of n (x is a vector) or an n×k "
                    + "matrix (x too). LU with partial pivoting (LAPACK's dgesv for larger matrices); a "
                    + "singular matrix is an error.") { _, args in
            let a = try squareMatrix(args, "a")
            let b = try args.array("b")
            let n = a.rows
            let r = b.isVector ? 1 : b.columns
            guard (b.isVector ? b.count : b.rows) == n else {
                throw Diagnostic(.shape, "solve: a is \(n)×\(n) but b has \(b.isVector ? b.count : b.rows) rows",
                                 at: args.range("b"))
            }
            do {
                let x = try LinearAlgebra.solve(a.data, b.data, n: n, columns: r)
                return .array(b.isVector ? NDArray(vector: x) : NDArray(shape: [n, r], data: x))
            } catch {
                throw Diagnostic(.domain, "solve: the matrix is singular", at: args.range("a"))
            }
        },
        Builtin("inv", .arrays, [.req("a")],
                doc: "The inverse of a square matrix (a singular matrix is an error; solve(a, b) is more "
                    + "accurate than inv(a) @ b).") { _, args in
            let a = try squareMatrix(args, "a")
            let n = a.rows
            var identity = [Double](repeating: 0, count: n * n)
            for i in 0..<n { identity[i * n + i] = 1 }
            do {
                return .array(NDArray(shape: [n, n], data: try LinearAlgebra.solve(a.data, identity, n: n, columns: n)))
            } catch {
                throw Diagnostic(.domain, "inv: the matrix is singular", at: args.range("a"))
            }
        },
        Builtin("det", .arrays, [.req("a")], doc: "The determinant of a square matrix.") { _, args in
            let a = try squareMatrix(args, "a")
            return .number(LinearAlgebra.determinant(a.data, n: a.rows))
        },
    ]

    /// A square matrix argument (a 1×1 matrix may be given as a number).
    static func squareMatrix(_ args: BoundArguments, _ name: String) throws -> NDArray {
        let a = try args.array(name)
        if a.isVector && a.count == 1 { return NDArray(shape: [1, 1], data: a.data) }
        guard !a.isVector, a.rows == a.columns else {
            throw Diagnostic(.shape, "'\(args.builtin.name)': \(name) must be a square matrix, not \(describe(a.shape))",
                             at: args.range(name))
        }
        for x in a.data where !x.isFinite {
            throw Diagnostic(.domain, "'\(args.builtin.name)': the matrix holds \(formatNumber(x))", at: args.range(name))
        }
        return a
    }
}
