import Dispatch
import Foundation
import SnipTensor

/// t-SNE maps of embeddings (van der Maaten & Hinton 2008), with the Barnes–Hut approximation
/// of the repulsive forces (van der Maaten 2014), as the SNIP paper draws its latent spaces.
///
/// Input affinities use each point's `3 · perplexity` nearest neighbours (exact search); the
/// map starts from small Gaussian coordinates drawn from `seed`, then runs gradient descent
/// with momentum and per-coordinate gains, early exaggeration 12 for the first 250
/// iterations. Work is split into a fixed number of chunks whatever the thread count, so a
/// seed gives the same map on any machine with the same floating-point behaviour.
public struct TSNE: Sendable {
    /// Effective number of neighbours each point's Gaussian spans.
    public var perplexity: Double = 30
    /// Gradient-descent iterations.
    public var iterations: Int = 1000
    /// Barnes–Hut opening angle (0: exact forces; larger: faster, coarser).
    public var theta: Double = 0.5
    /// Seed of the initial map.
    public var seed: UInt64 = 0
    /// Step size; nil picks max(N / 48, 50) (scikit-learn's choice).
    public var learningRate: Double?

    public init(perplexity: Double = 30, iterations: Int = 1000, theta: Double = 0.5, seed: UInt64 = 0) {
        self.perplexity = perplexity
        self.iterations = iterations
        self.theta = theta
        self.seed = seed
    }

    static let exaggeration = 12.0
    static let exaggerationIterations = 250
    static let chunks = 16

    /// Two coordinates per row of `rows` (all of the same width; at least 2 rows).
    public func embed(_ rows: [[Double]], shouldStop: () -> Bool = { false }) -> [[Double]] {
        let n = rows.count
        guard n > 1 else { return rows.map { _ in [0, 0] } }
        let p = affinities(rows)
        var random = SeededGenerator(seed: seed)
        var y = (0..<(2 * n)).map { _ in Self.gaussian(&random) * 1e-4 }
        var velocity = [Double](repeating: 0, count: 2 * n)
        var gains = [Double](repeating: 1, count: 2 * n)
        let rate = learningRate ?? max(Double(n) / Self.exaggeration / 4, 50)
        var gradient = [Double](repeating: 0, count: 2 * n)
        for iteration in 0..<iterations {
            if iteration % 50 == 0, shouldStop() { break }
            let early = iteration < Self.exaggerationIterations
            forces(y: y, p: p, exaggeration: early ? Self.exaggeration : 1, into: &gradient)
            let momentum = early ? 0.5 : 0.8
            for k in 0..<(2 * n) {
                // delta-bar-delta gains: grow where the step keeps its direction
                gains[k] = (gradient[k] > 0) != (velocity[k] > 0) ? gains[k] + 0.2 : max(gains[k] * 0.8, 0.01)
                velocity[k] = momentum * velocity[k] - rate * gains[k] * gradient[k]
                y[k] += velocity[k]
            }
            // keep the map centred
            for axis in 0..<2 {
                let mean = stride(from: axis, to: 2 * n, by: 2).reduce(0) { $0 + y[$1] } / Double(n)
                for k in stride(from: axis, to: 2 * n, by: 2) { y[k] -= mean }
            }
        }
        return (0..<n).map { [y[2 * $0], y[2 * $0 + 1]] }
    }

    /// Symmetric sparse affinities P (row i: neighbours and weights), summing to 1 overall.
    struct Affinities {
        var neighbours: [[Int]]
        var weights: [[Double]]
    }

    func affinities(_ rows: [[Double]]) -> Affinities {
        let n = rows.count
        let k = min(n - 1, max(1, Int((3 * perplexity).rounded())))
        let target = log(min(perplexity, Double(n - 1)))
        // per chunk: (point, its nearest neighbours, their conditional probabilities)
        var found = [[(Int, [Int], [Double])]](repeating: [], count: Self.chunks)
        found.withUnsafeMutableBufferPointer { buckets in
            let buckets = UnsafeSendable(buckets)
            DispatchQueue.concurrentPerform(iterations: Self.chunks) { chunk in
                var rowsFound: [(Int, [Int], [Double])] = []
                for i in (n * chunk / Self.chunks)..<(n * (chunk + 1) / Self.chunks) {
                    var distances: [(d: Double, j: Int)] = []
                    distances.reserveCapacity(n - 1)
                    for j in 0..<n where j != i {
                        var d = 0.0
                        for (a, b) in zip(rows[i], rows[j]) { d += (a - b) * (a - b) }
                        distances.append((d, j))
                    }
                    distances.sort { $0.d != $1.d ? $0.d < $1.d : $0.j < $1.j }
                    let nearest = distances.prefix(k)
                    rowsFound.append((i, nearest.map(\.j), Self.gaussianRow(nearest.map(\.d), entropy: target)))
                }
                buckets.value[chunk] = rowsFound
            }
        }
        // symmetrise: p_ij = (p_j|i + p_i|j) / 2N
        var merged = [[Int: Double]](repeating: [:], count: n)
        for (i, neighbours, conditional) in found.joined() {
            for (j, w) in zip(neighbours, conditional) {
                merged[i][j, default: 0] += w
                merged[j][i, default: 0] += w
            }
        }
        var result = Affinities(neighbours: [], weights: [])
        for i in 0..<n {
            let pairs = merged[i].sorted { $0.key < $1.key }
            result.neighbours.append(pairs.map(\.key))
            result.weights.append(pairs.map { $0.value / (2 * Double(n)) })
        }
        return result
    }

    /// Conditional probabilities over one point's neighbour distances whose entropy is
    /// `entropy` (binary search on the Gaussian's precision).
    static func gaussianRow(_ distances: [Double], entropy target: Double) -> [Double] {
        var beta = 1.0
        var low = 0.0
        var high = Double.infinity
        var row = [Double](repeating: 0, count: distances.count)
        let shift = distances.min() ?? 0
        for _ in 0..<100 {
            var sum = 0.0
            var weighted = 0.0
            for (t, d) in distances.enumerated() {
                row[t] = exp(-(d - shift) * beta)
                sum += row[t]
                weighted += (d - shift) * row[t]
            }
            let h = log(sum) + beta * weighted / sum
            for t in row.indices { row[t] /= sum }
            if abs(h - target) < 1e-5 { break }
            if h > target {
                low = beta
                beta = high.isFinite ? (beta + high) / 2 : beta * 2
            } else {
                high = beta
                beta = (beta + low) / 2
            }
        }
        return row
    }

    /// The gradient of KL(P ‖ Q) with respect to the map (`y`: x, y interleaved).
    func forces(y: [Double], p: Affinities, exaggeration: Double, into gradient: inout [Double]) {
        let n = y.count / 2
        let tree = QuadTree(points: y)
        var partialZ = [Double](repeating: 0, count: Self.chunks)
        var repulsive = [Double](repeating: 0, count: 2 * n)
        partialZ.withUnsafeMutableBufferPointer { zs in
            repulsive.withUnsafeMutableBufferPointer { out in
                let zs = UnsafeSendable(zs)
                let out = UnsafeSendable(out)
                DispatchQueue.concurrentPerform(iterations: Self.chunks) { chunk in
                    var z = 0.0
                    var stack: [Int] = []
                    stack.reserveCapacity(256)
                    for i in (n * chunk / Self.chunks)..<(n * (chunk + 1) / Self.chunks) {
                        let (fx, fy, zi) = tree.repulsion(x: y[2 * i], y: y[2 * i + 1], theta: theta, stack: &stack)
                        out.value[2 * i] = fx
                        out.value[2 * i + 1] = fy
                        z += zi
                    }
                    zs.value[chunk] = z
                }
            }
        }
        let z = partialZ.reduce(0, +)
        for i in 0..<n {
            var ax = 0.0
            var ay = 0.0
            for (j, w) in zip(p.neighbours[i], p.weights[i]) {
                let dx = y[2 * i] - y[2 * j]
                let dy = y[2 * i + 1] - y[2 * j + 1]
                let q = 1 / (1 + dx * dx + dy * dy)
                ax += exaggeration * w * q * dx
                ay += exaggeration * w * q * dy
            }
            gradient[2 * i] = 4 * (ax - repulsive[2 * i] / z)
            gradient[2 * i + 1] = 4 * (ay - repulsive[2 * i + 1] / z)
        }
    }

    static func gaussian(_ random: inout SeededGenerator) -> Double {
        let u = Double.random(in: Double.ulpOfOne..<1, using: &random)
        let v = Double.random(in: 0..<1, using: &random)
        return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
    }

}

/// A point-region quadtree over the map with each cell's centre of mass, for Barnes–Hut.
struct QuadTree {
    /// Per node: centre of mass, point count, the cell's centre and half-width, first child
    /// (-1: a leaf), and for leaves the single point it holds (-1: none or several duplicates).
    private var massX: [Double] = []
    private var massY: [Double] = []
    private var count: [Int] = []
    private var centreX: [Double] = []
    private var centreY: [Double] = []
    private var half: [Double] = []
    private var firstChild: [Int] = []
    private var point: [Int] = []
    private let points: [Double]

    init(points: [Double]) {
        self.points = points
        let n = points.count / 2
        var minX = Double.infinity, maxX = -Double.infinity, minY = Double.infinity, maxY = -Double.infinity
        for i in 0..<n {
            minX = min(minX, points[2 * i]); maxX = max(maxX, points[2 * i])
            minY = min(minY, points[2 * i + 1]); maxY = max(maxY, points[2 * i + 1])
        }
        let width = max(maxX - minX, maxY - minY, 1e-12) / 2 * (1 + 1e-6)
        addNode(cx: (minX + maxX) / 2, cy: (minY + maxY) / 2, half: width)
        for i in 0..<n { insert(i) }
    }

    private mutating func addNode(cx: Double, cy: Double, half h: Double) {
        massX.append(0); massY.append(0); count.append(0)
        centreX.append(cx); centreY.append(cy); half.append(h)
        firstChild.append(-1); point.append(-1)
    }

    private mutating func insert(_ i: Int) {
        let px = points[2 * i], py = points[2 * i + 1]
        var node = 0
        var depth = 0
        while true {
            // update the centre of mass on the way down
            let c = Double(count[node])
            massX[node] = (massX[node] * c + px) / (c + 1)
            massY[node] = (massY[node] * c + py) / (c + 1)
            count[node] += 1
            if firstChild[node] < 0 {
                if count[node] == 1 {
                    point[node] = i
                    return
                }
                // a leaf that held one point: split it (unless the points coincide or the tree is deep)
                let other = point[node]
                if depth > 50 || (other >= 0 && points[2 * other] == px && points[2 * other + 1] == py) {
                    point[node] = -1
                    return
                }
                split(node)
                if other >= 0 {
                    let child = childIndex(node, points[2 * other], points[2 * other + 1])
                    massX[child] = points[2 * other]; massY[child] = points[2 * other + 1]
                    count[child] = 1; point[child] = other
                }
                point[node] = -1
            }
            node = childIndex(node, px, py)
            depth += 1
        }
    }

    private mutating func split(_ node: Int) {
        firstChild[node] = massX.count
        let h = half[node] / 2
        for q in 0..<4 {
            addNode(cx: centreX[node] + (q & 1 == 0 ? -h : h), cy: centreY[node] + (q & 2 == 0 ? -h : h), half: h)
        }
    }

    private func childIndex(_ node: Int, _ x: Double, _ y: Double) -> Int {
        firstChild[node] + (x < centreX[node] ? 0 : 1) + (y < centreY[node] ? 0 : 2)
    }

    /// The unnormalised repulsive force on a map point and its share of Z = Σ q_ij (itself
    /// excluded). `stack` is scratch space, reused between calls.
    func repulsion(x: Double, y: Double, theta: Double, stack: inout [Int]) -> (Double, Double, Double) {
        var fx = 0.0, fy = 0.0, z = 0.0
        let thetaSquared = theta * theta
        stack.removeAll(keepingCapacity: true)
        stack.append(0)
        while let node = stack.popLast() {
            let c = count[node]
            if c == 0 { continue }
            let dx = x - massX[node]
            let dy = y - massY[node]
            let d2 = dx * dx + dy * dy
            let isLeaf = firstChild[node] < 0
            if isLeaf || 4 * half[node] * half[node] < thetaSquared * d2 {
                if isLeaf && d2 == 0 { continue }  // the point itself (or exact duplicates)
                let q = 1 / (1 + d2)
                let m = Double(c)
                z += m * q
                fx += m * q * q * dx
                fy += m * q * q * dy
            } else {
                let first = firstChild[node]
                stack.append(first)
                stack.append(first + 1)
                stack.append(first + 2)
                stack.append(first + 3)
            }
        }
        return (fx, fy, z)
    }
}

extension TSNE {
    /// The conditional probabilities of one point over neighbour distances (squared), for tests.
    public static func gaussianRowForTesting(_ distances: [Double], perplexity: Double) -> [Double] {
        gaussianRow(distances, entropy: log(perplexity))
    }
}
