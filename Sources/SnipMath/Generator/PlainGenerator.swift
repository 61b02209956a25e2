import Foundation

/// The random generator written plainly, for reading and as the reference the fast one is
/// tested against (llm.c style): one generation attempt and the point sampler, top to bottom,
/// on ordinary arrays and a small tree of nodes, with the same random draws in the same order
/// as ``ExpressionGenerator`` (whose speed code lives in `ExpressionGenerator.swift`,
/// `ExpressionGenerator+FlatTree.swift` and `ExpressionGenerator+Points.swift`).
/// `PlainGeneratorTests` checks that both give the same samples, bit for bit, on many seeds.
///
/// Evaluation is not rewritten here: both use the vectorised evaluator
/// (``Expression/evaluateRaising(columns:)``), which has its own reference tests.
public enum PlainGenerator {
    /// One accepted sample, as ``ExpressionGenerator/generate(from:)`` draws it.
    public static func generate(
        _ c: GeneratorConfiguration, from source: inout some GeneratorRandomSource
    ) -> GeneratedSample {
        // The unary count and the dimension are drawn once; attempts repeat until one succeeds.
        let unaryCount = source.integer(c.minUnaryOps, c.maxUnaryOps + 1)
        let dimension = source.integer(c.minInputDimension, c.maxInputDimension + 1)
        var rejections: [GenerationRejection] = []
        while true {
            switch attempt(c, dimension: dimension, unaryCount: unaryCount, source: &source) {
            case .success(let (sample, binaryCount)):
                return GeneratedSample(
                    sample: sample, rejections: rejections, drawnBinaryOperators: binaryCount,
                    drawnUnaryOperators: unaryCount)
            case .failure(let rejection):
                rejections.append(rejection)
            }
        }
    }

    /// A node of the tree being drawn.
    final class Node {
        /// The binary operator's index in ``ExpressionGenerator/generatedBinaries``, or −1 for a
        /// leaf.
        var op = -1
        /// A leaf's variable.
        var variable = 0
        /// A binary node's two children.
        var children: [Node] = []
        /// The index in ``ExpressionGenerator/generatedUnaries`` of the unary operator above the
        /// node, or −1.
        var unary = -1

        var isSum: Bool { op == 0 || op == 1 }  // add, sub
        var size: Int { 1 + children.reduce(0) { $0 + $1.size } }
    }

    /// One attempt of the reference's `_gen_expr` with a fixed dimension and unary count: the
    /// sample and the binary count drawn, or why it was rejected.
    public static func attempt(
        _ c: GeneratorConfiguration, dimension d: Int, unaryCount: Int,
        source: inout some GeneratorRandomSource
    ) -> Result<(Sample, Int), GenerationRejection> {
        let binaries = normalised(
            ExpressionGenerator.generatedBinaries.map { c.binaryWeights[$0] ?? 1 })
        let unaries = normalised(
            ExpressionGenerator.generatedUnaries.map { c.unaryWeights[$0] ?? 1 })
        _ = source.integer(1, 2)  // the output dimension
        let binaryCount = source.integer(
            c.minBinaryOpsPerDimension * d, c.maxBinaryOpsOffset + c.maxBinaryOpsPerDimension * d)

        // 1. A uniformly random binary tree (Lample & Charton): the nodes in creation order;
        // nodes[nextEmpty...] are the empty ones. Each step skips k empties (they stay leaves)
        // with probability trees(remaining − 1, empty − k + 1) / trees(remaining, empty), where
        // trees(n, e) counts the trees of n operators grown from e empty nodes, and makes the
        // next one a binary operator with two new empty children.
        let tableSize =
            c.referenceCountingTable
            ? 2 * c.maxBinaryOpsPerDimension * c.maxInputDimension : max(binaryCount, 1)
        let table = ExpressionGenerator.countingTable(maxOperators: tableSize)
        func trees(_ n: Int, _ e: Int) -> Double? {
            n >= 0 && n < table.count && e >= 0 && e < table[n].count ? table[n][e] : nil
        }
        let root = Node()
        var nodes = [root]
        var nextEmpty = 0
        for remaining in stride(from: binaryCount, to: 0, by: -1) {
            let empty = nodes.count - nextEmpty
            var weights: [Double] = []
            for k in 0..<empty {
                guard let w = trees(remaining - 1, empty - k + 1) else {
                    return .failure(.countingTableTooSmall)
                }
                weights.append(w)
            }
            guard let total = trees(remaining, empty) else {
                return .failure(.countingTableTooSmall)
            }
            nextEmpty += source.choice(weights: weights.map { $0 / total })
            let node = nodes[nextEmpty]
            node.op = source.choice(weights: binaries)
            node.children = [Node(), Node()]
            nodes += node.children
            nextEmpty += 1
        }

        // 2. Leaves in a shuffled order: each variable once, then uniform variables.
        var order = Array(0..<nodes.count)
        source.shuffle(&order)
        var usedDimensions = 0
        for index in order where nodes[index].op < 0 {
            _ = source.nextDouble()  // rng.rand() < prob_rand (0)
            if usedDimensions < d {
                nodes[index].variable = usedDimensions
                usedDimensions += 1
            } else {
                _ = source.nextDouble()  // rng.rand() < prob_const (0)
                nodes[index].variable = source.integer(0, d)
            }
        }

        // 3. A unary operator above every child subtree smaller than maxUnaryDepth (in prefix
        // order), then randomly chosen ones removed down to the drawn count.
        var decorated: [Node] = []
        func decorate(_ node: Node) {
            for child in node.children {
                if child.size < c.maxUnaryDepth {
                    child.unary = source.choice(weights: unaries)
                    decorated.append(child)
                }
                decorate(child)
            }
        }
        decorate(root)
        var ordinals = Array(0..<decorated.count)
        source.shuffle(&ordinals)  // drawn even when nothing is removed
        if decorated.count > unaryCount {
            for i in ordinals.prefix(decorated.count - unaryCount) { decorated[i].unary = -1 }
        }

        // 4. Prefactors (add_prefactors): two drawn at every node, used or not; `mul a` on the
        // terms of sums, `add a (mul b …)` around unary arguments that are not sums; `mul a` on
        // top when nothing changed, then `add a`.
        let generator = ExpressionGenerator(configuration: c)
        func prefactor() -> Expression { .leaf(generator.drawPrefactor(source: &source).leaf) }
        var changed = false
        func transform(_ node: Node, above: Bool) -> Expression {
            let a = prefactor()
            let b = prefactor()
            if above {
                let op = ExpressionGenerator.generatedUnaries[node.unary]
                if node.isSum { return .unary(op, transform(node, above: false)) }
                changed = true
                return .unary(op, .binary(.add, a, .binary(.mul, b, transform(node, above: false))))
            }
            if node.op < 0 { return .leaf(.variable(node.variable)) }
            if node.isSum { changed = true }
            func operand(_ child: Node, _ p: Expression) -> Expression {
                let wrapped = child.unary >= 0
                let inner = transform(child, above: wrapped)
                return node.isSum && (wrapped || !child.isSum) ? .binary(.mul, p, inner) : inner
            }
            let left = operand(node.children[0], a)
            let right = operand(node.children[1], b)
            return .binary(ExpressionGenerator.generatedBinaries[node.op], left, right)
        }
        var tree = transform(root, above: false)
        if !changed { tree = .binary(.mul, prefactor(), tree) }
        tree = .binary(.add, prefactor(), tree)

        // 5. Variables renumbered 0…k−1; the tree must use them all.
        let (relabelled, used) = tree.relabellingVariables()
        if used == 0 || (c.enforceDimension && used < d) { return .failure(.badInputDimension) }

        // 6. Points, evaluated as numpy does under seterr(all='raise').
        let distribution = source.nextDouble() < 0.5 ? 0 : 1
        let centroids = source.integer(1, c.maxCentroids)
        guard
            let x = randomPoints(
                c, dimension: used, centroids: centroids, gaussian: distribution == 0,
                source: &source)
        else { return .failure(.floatingPointError) }
        guard let evaluation = try? relabelled.evaluateRaising(columns: x) else {
            return .failure(.floatingPointError)
        }
        guard let y = evaluation.values else { return .failure(.floatingPointError) }
        guard y.allSatisfy({ !$0.isNaN && abs($0) < c.maxOutputMagnitude }) else {
            return .failure(.generationError)
        }
        _ = source.uniform(0, 0)  // the output-noise level (train_noise_gamma = 0)
        let info = SampleInfo(
            inputPointCount: c.pointCount, unaryOperatorCount: relabelled.unaryOperatorCount,
            binaryOperatorCount: relabelled.binaryOperatorCount, inputDimension: used,
            outputDimension: 1, inputDistributionType: distribution, centroidCount: centroids)
        let rows = (0..<y.count).map { i in x.map { $0[i] } }
        let skeleton =
            relabelled.skeletonTokens(tokenizer: FloatTokenizer(precision: c.floatPrecision)) ?? []
        let sample = Sample(
            tree: relabelled, x: rows, y: c.normalizeY ? Sample.minMaxScaled(y) : y, info: info,
            skeletonTokens: skeleton)
        return .success((sample, binaryCount))
    }

    /// `pointCount` points of dimension d from `centroids` clusters, as columns ([d][n]), drawn
    /// as the reference's `_generate_datapoints`; nil when an axis has no spread.
    public static func randomPoints(
        _ c: GeneratorConfiguration, dimension d: Int, centroids: Int, gaussian: Bool,
        source: inout some GeneratorRandomSource
    ) -> [[Double]]? {
        let n = c.pointCount
        // Per centroid: a mean N(0, 1) and a variance U(0, 1) per axis (kept as its root).
        let means = (0..<centroids).map { _ in (0..<d).map { _ in source.gaussian() } }
        let spreads = (0..<centroids).map { _ in
            (0..<d).map { _ in source.uniform(0, 1).squareRoot() }
        }
        // A random rotation per centroid (d > 1).
        let rotations = d > 1 ? (0..<centroids).map { _ in randomRotation(d, source: &source) } : []
        // Weights U(0, 1), normalised, and how many points each centroid gets.
        let weights = (0..<centroids).map { _ in source.uniform(0, 1) }
        let total = FunctionProperties.numpySum(weights[...])
        let counts = source.multinomial(n, weights.map { $0 / total })
        // Each cluster's points, drawn point by point, then rotated.
        var points: [[Double]] = []  // rows
        for k in 0..<centroids {
            let count = min(counts[k], n - points.count)
            var cluster: [[Double]] = []
            for _ in 0..<count {
                let draws = (0..<d).map { _ in gaussian ? source.gaussian() : source.uniform(-1, 1)
                }
                cluster.append(
                    (0..<d).map { axis in means[k][axis] + draws[axis] * spreads[k][axis] })
            }
            if d > 1 {
                // row · rotation, each sum from 0 adding j = 0, 1, … in order
                cluster = cluster.map { row in
                    (0..<d).map { column in
                        var sum = 0.0
                        for j in 0..<d { sum += row[j] * rotations[k][j][column] }
                        return sum
                    }
                }
            }
            points += cluster
        }
        while points.count < n { points.append([Double](repeating: 0, count: d)) }
        // Standardised per axis (numpy's pairwise sums).
        var columns: [[Double]] = []
        for axis in 0..<d {
            let column = points.map { $0[axis] }
            let mean = FunctionProperties.numpySum(column[...]) / Double(n)
            let squares = column.map { ($0 - mean) * ($0 - mean) }
            let std = (FunctionProperties.numpySum(squares[...]) / Double(n)).squareRoot()
            guard std > 0 else { return nil }
            columns.append(column.map { ($0 - mean) / std })
        }
        return columns
    }

    /// A Haar-random rotation (rows orthonormal, determinant +1): Gram–Schmidt on a Gaussian
    /// matrix (drawn again when a row vanishes), then the first row negated if needed.
    static func randomRotation(_ d: Int, source: inout some GeneratorRandomSource) -> [[Double]] {
        while true {
            var m = (0..<d).map { _ in (0..<d).map { _ in source.gaussian() } }
            var vanished = false
            for i in 0..<d where !vanished {
                for j in 0..<i {
                    var dot = 0.0
                    for k in 0..<d { dot += m[i][k] * m[j][k] }
                    for k in 0..<d { m[i][k] -= dot * m[j][k] }
                }
                var squares = 0.0
                for k in 0..<d { squares += m[i][k] * m[i][k] }
                let norm = squares.squareRoot()
                if norm < 1e-12 { vanished = true } else { for k in 0..<d { m[i][k] /= norm } }
            }
            if vanished { continue }
            if determinant(m) < 0 { m[0] = m[0].map { -$0 } }
            return m
        }
    }

    /// The determinant by Gaussian elimination with partial pivoting (the first row of largest
    /// magnitude).
    static func determinant(_ matrix: [[Double]]) -> Double {
        var a = matrix
        let n = a.count
        var det = 1.0
        for column in 0..<n {
            var pivot = column
            for row in (column + 1)..<n where abs(a[pivot][column]) < abs(a[row][column]) {
                pivot = row
            }
            if a[pivot][column] == 0 { return 0 }
            if pivot != column {
                a.swapAt(pivot, column)
                det = -det
            }
            det *= a[column][column]
            for row in (column + 1)..<n {
                let f = a[row][column] / a[column][column]
                for k in (column + 1)..<n { a[row][k] -= f * a[column][k] }
            }
        }
        return det
    }

    /// Weights divided by their (numpy pairwise) sum.
    static func normalised(_ weights: [Double]) -> [Double] {
        let total = FunctionProperties.numpySum(weights[...])
        return weights.map { $0 / total }
    }
}
