import Foundation
import SnipModel
import SnipTensor
import TestSupport
import Testing

/// The soft-neighbour property loss of pre-training (`--neighbor-weight`): each row's targets
/// predicted by the others', weighted by a softmax of cosine similarities.
struct NeighborPropertyLossTests {
    /// The loss worked out row by row in doubles: softmax over the other rows of
    /// cos(z_i, z_j) / temperature, squared error of the weighted targets, over 4 · B.
    static func expected(_ z: [[Double]], _ t: [[Double]], temperature: Double, shares: [Double] = [1, 1, 1, 1]) -> Double {
        func cosine(_ a: [Double], _ b: [Double]) -> Double {
            zip(a, b).map(*).reduce(0, +) / (a.map { $0 * $0 }.reduce(0, +).squareRoot() * b.map { $0 * $0 }.reduce(0, +).squareRoot())
        }
        var total = 0.0
        for i in z.indices {
            let others = z.indices.filter { $0 != i }
            let logits = others.map { cosine(z[i], z[$0]) / temperature }
            let top = logits.max()!
            let weights = logits.map { Foundation.exp($0 - top) }
            let sum = weights.reduce(0, +)
            for k in 0..<4 {
                let predicted = zip(others, weights).map { t[$0][k] * $1 / sum }.reduce(0, +)
                total += shares[k] * (predicted - t[i][k]) * (predicted - t[i][k])
            }
        }
        return total / Double(4 * z.count)
    }

    static let z: [[Double]] = [[1, 0.2, 0], [0.9, 0.1, 0.3], [-0.2, 1, 0.1], [0.1, 0.8, -0.4], [0.5, -0.5, 2]]
    static let t: [[Double]] = [[0.3, -1, 2, 0], [0.1, -0.8, 1.5, 0.2], [-1, 1, -0.5, 1], [-0.7, 0.9, 0, 1.2], [2, 0, 0, -2]]

    static func loss(_ z: [[Double]], _ t: [[Double]], temperature: Double, shares: [Double]? = nil) -> Tensor {
        NeighborPropertyLoss.loss(
            embeddings: Tensor(z.flatMap { $0.map(Float.init) }, shape: [z.count, z[0].count]),
            targets: t.flatMap { $0.map(Float.init) }, temperature: temperature, shares: shares)
    }

    @Test(arguments: [0.03, 0.3, 3.0])
    func theLossIsTheSoftNeighboursSquaredError(temperature: Double) {
        let got = Double(Self.loss(Self.z, Self.t, temperature: temperature).item)
        let want = Self.expected(Self.z, Self.t, temperature: temperature)
        #expect(abs(got - want) <= 1e-5 * abs(want), "\(got) vs \(want)")
        let shares = [0.5, 0, 4, 1]
        let weighed = Double(Self.loss(Self.z, Self.t, temperature: temperature, shares: shares).item)
        let wantWeighed = Self.expected(Self.z, Self.t, temperature: temperature, shares: shares)
        #expect(abs(weighed - wantWeighed) <= 1e-5 * abs(wantWeighed), "\(weighed) vs \(wantWeighed)")
    }

    /// A row is never its own neighbour: two pairs of identical rows with identical targets
    /// score 0 at a sharp temperature, and a lone row's error comes from the others' targets.
    @Test func aRowIsNotItsOwnNeighbour() {
        let pairs: [[Double]] = [[1, 0], [1, 0], [0, 1], [0, 1]]
        let pairTargets: [[Double]] = [[1, 1, 1, 1], [1, 1, 1, 1], [-1, -1, -1, -1], [-1, -1, -1, -1]]
        #expect(Double(Self.loss(pairs, pairTargets, temperature: 0.01).item) < 1e-6)
        // the first row alone in its direction: its nearest others carry targets −1, its own 1
        let lone: [[Double]] = [[1, 0], [0, 1], [0, 1], [0.1, 1]]
        let loneTargets: [[Double]] = [[1, 1, 1, 1], [-1, -1, -1, -1], [-1, -1, -1, -1], [-1, -1, -1, -1]]
        let lonely = Double(Self.loss(lone, loneTargets, temperature: 0.01).item)
        #expect(abs(lonely - 4.0 * 4 / 16) < 1e-3, "\(lonely)")  // (−1 − 1)² × 4 properties over 4 · 4
        #expect(Double(Self.loss([[1, 0]], [[1, 2, 3, 4]], temperature: 0.1).item) == 0)
    }

    /// The loss depends on directions only, and its gradient agrees with central differences.
    @Test func theGradientMatchesFiniteDifferences() throws {
        let scaled = Self.z.enumerated().map { i, row in row.map { $0 * Double(i + 1) } }
        let a = Double(Self.loss(Self.z, Self.t, temperature: 0.3).item)
        let b = Double(Self.loss(scaled, Self.t, temperature: 0.3).item)
        #expect(abs(a - b) <= 1e-5 * abs(a), "\(a) vs \(b)")

        var z = Tensor(Self.z.flatMap { $0.map(Float.init) }, shape: [5, 3])
        z.requiresGrad = true
        let targets = Self.t.flatMap { $0.map(Float.init) }
        let loss = NeighborPropertyLoss.loss(embeddings: z, targets: targets, temperature: 0.3, shares: [1, 2, 1, 0.5])
        loss.backward()
        let gradient = try #require(z.grad).scalars
        let h = 1e-3
        for index in 0..<15 {
            var plus = Self.z
            var minus = Self.z
            plus[index / 3][index % 3] += h
            minus[index / 3][index % 3] -= h
            let numeric =
                (Self.expected(plus, Self.t, temperature: 0.3, shares: [1, 2, 1, 0.5])
                    - Self.expected(minus, Self.t, temperature: 0.3, shares: [1, 2, 1, 0.5])) / (2 * h)
            #expect(abs(Double(gradient[index]) - numeric) <= 1e-3 + 1e-3 * abs(numeric), "∂/∂z[\(index)]: \(gradient[index]) vs \(numeric)")
        }
    }

    /// A tiny run with a neighbour weight logs the neighbour loss, and its first step's loss is
    /// the same run's without one plus the weighted neighbour loss (the same batch and weights).
    @Test func runsAddTheWeightedNeighbourLoss() throws {
        let (spec, data, options) = try PropertyTargetsTests.propertyRun()
        var withNeighbours = options
        withNeighbours.neighborWeight = 0.5
        var first: [[String: Any]] = []
        for o in [options, withNeighbours] {
            let directory = freshTemporaryPath("neighbor-run")
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let run = try Pretrainer(
                model: SNIPModel(config: PropertyTargetsTests.config, seed: 2), options: o, directory: directory, seed: 6, data: spec)
            #expect(try run.train(data: data, steps: 2) == .finished)
            first.append(try #require(run.run.metrics().first))
        }
        #expect(first[0]["neighborLoss"] == nil)
        let neighbour = try #require(first[1]["neighborLoss"] as? Double)
        #expect(neighbour > 0 && neighbour.isFinite)
        let plain = try #require(first[0]["loss"] as? Double)
        let added = try #require(first[1]["loss"] as? Double)
        #expect(abs(added - (plain + 0.5 * neighbour)) <= 1e-4 * added, "\(added) vs \(plain) + 0.5 × \(neighbour)")
    }

    /// The weight and temperature round-trip through run.json, older runs read none, bad values
    /// do not load; a resumed run takes a new weight only where its data makes property targets.
    @Test func theSettingIsRecordedCheckedAndChangedOnResume() throws {
        var options = PretrainingOptions()
        options.propertyWeight = 1
        options.neighborWeight = 2
        options.neighborTemperature = 0.1
        let encoded = try JSONEncoder().encode(options)
        let decoded = try JSONDecoder().decode(PretrainingOptions.self, from: encoded)
        #expect(decoded.neighborWeight == 2 && decoded.neighborTemperature == 0.1)
        var object = try #require(JSONSerialization.jsonObject(with: encoded) as? [String: Any])
        object.removeValue(forKey: "neighborWeight")
        object.removeValue(forKey: "neighborTemperature")
        let older = try JSONDecoder().decode(PretrainingOptions.self, from: JSONSerialization.data(withJSONObject: object))
        #expect(older.neighborWeight == 0 && older.neighborTemperature == NeighborPropertyLoss.defaultTemperature)
        for (key, bad) in [("neighborWeight", -1.0), ("neighborTemperature", 0.0), ("neighborTemperature", 100.0)] {
            var broken = object
            broken[key] = bad
            #expect(throws: DecodingError.self, "\(key) \(bad)") {
                try JSONDecoder().decode(PretrainingOptions.self, from: JSONSerialization.data(withJSONObject: broken))
            }
        }

        let (spec, data, propertyOptions) = try PropertyTargetsTests.propertyRun()
        let withTargets = freshTemporaryPath("neighbor-resume")
        let without = freshTemporaryPath("neighbor-none")
        defer { for d in [withTargets, without] { try? FileManager.default.removeItem(atPath: d) } }
        let a = try Pretrainer(
            model: SNIPModel(config: PropertyTargetsTests.config, seed: 2), options: propertyOptions, directory: withTargets, seed: 6,
            data: spec)
        #expect(try a.train(data: data, steps: 1) == .finished)
        let (b, _) = try Pretrainer.resume(directory: withTargets, neighborWeight: 1.5, neighborTemperature: 0.2)
        #expect(b.options.neighborWeight == 1.5 && b.options.neighborTemperature == 0.2)
        #expect(try b.train(data: data, steps: 2) == .finished)
        let logged = try b.run.metrics().last?["neighborLoss"] as? Double
        #expect(logged != nil)
        let (c, _) = try Pretrainer.resume(directory: withTargets)
        #expect(c.options.neighborWeight == 1.5, "the new weight is recorded in run.json")
        #expect(throws: ModelError.self) { try Pretrainer.resume(directory: withTargets, neighborWeight: -1) }

        let d = try Pretrainer(
            model: SNIPModel(config: PropertyTargetsTests.config, seed: 2), options: TinyTraining.options(), directory: without,
            seed: 6, data: spec)
        #expect(try d.train(data: try spec.trainingData(config: PropertyTargetsTests.config, seed: 6), steps: 1) == .finished)
        #expect(throws: ModelError.self) { try Pretrainer.resume(directory: without, neighborWeight: 1) }
    }
}
