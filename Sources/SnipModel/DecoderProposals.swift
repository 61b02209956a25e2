import Dispatch
import SnipMath
import SnipRegression
import SnipTensor

/// How ``DecoderProposals`` searches.
public struct DecoderSearchOptions: Sendable {
    /// Beam width of the decoding of the data's own latent vector.
    public var beamWidth = 8
    /// Formulas sampled (temperature ``temperature``) from the data's own latent vector.
    public var samples = 32
    /// Sampling temperature.
    public var temperature = 1.0
    /// Points per encoding (the reference encodes 200).
    public var points = 200
    /// Seconds the latent-space optimisation may take (0: none; decoding the data's own
    /// latent only).
    public var lsoSeconds = 10.0
    /// Wolves of the latent-space optimisation (published: 50).
    public var population = 50
    /// Its iterations (published: 80), cut short by ``lsoSeconds``.
    public var iterations = 80
    /// Beam width of each decoding inside the optimisation (published: 2).
    public var lsoBeamWidth = 2
    /// Stop the optimisation once a decoded formula reaches this R² on the encoded points.
    public var targetR2 = 0.99
    /// Levenberg–Marquardt iterations on each decoded skeleton's constants.
    public var fitIterations = 30
    /// The most proposals handed to the search (the best fitted, R² > 0 only).
    public var maxProposals = 12

    public init() {}

    /// The options for a regression search of `time` seconds that stops at `targetR2`: the
    /// latent-space search gets a third of the time, at most 20 s.
    public init(timeLimit time: Double, targetR2: Double) {
        lsoSeconds = Swift.min(time / 3, 20)
        self.targetR2 = targetR2
    }
}

/// Proposals from SNIP: the numeric encoder turns the data into a latent vector, the
/// ``FormulaDecoder`` writes skeletons from it (beam search and sampling), each skeleton's
/// constants are fitted by Levenberg–Marquardt, and a latent-space optimisation (LSO, as the
/// SNIP paper) moves the latent with the Grey Wolf Optimiser to maximise the R² of the best
/// decoded-and-fitted formula. The population starts from the encoding of the data, of
/// subsamples and of noisy copies of it, and random perturbations.
///
/// The model reads standardised data (each x column and y to mean 0, standard deviation 1,
/// which is what the generator's inputs look like); the proposals are written back in the
/// data's own variables and scale, constants fitted, so they seed the evolutionary search
/// where the search would otherwise start from random trees.
public final class DecoderProposals: ProposalSource, @unchecked Sendable {
    public let model: SNIPModel
    public let decoder: FormulaDecoder
    public var options: DecoderSearchOptions
    /// Asked between decodings of the latent-space optimisation; `true` ends it early (Ctrl-C).
    public var shouldStop: (@Sendable () -> Bool)?
    /// What the last search did (for reports and tests).
    public private(set) var lastReport = Report()

    /// What one call of ``proposals(for:count:seed:)`` did.
    public struct Report: Sendable {
        /// Distinct skeletons decoded and fitted.
        public var skeletons = 0
        /// Latent vectors the optimisation decoded.
        public var latents = 0
        /// The best R² (on the encoded, standardised points) of a decoded formula from the
        /// data's own latent, before the optimisation.
        public var initialR2 = -Double.infinity
        /// The best after it.
        public var bestR2 = -Double.infinity
        /// Its formula (standardised variables).
        public var best: Expression?
        public var seconds = 0.0
    }

    /// The model's tokenizer, made once (it builds the vocabularies).
    private let tokenizer: SampleTokenizer

    public init(model: SNIPModel, decoder: FormulaDecoder, options: DecoderSearchOptions = DecoderSearchOptions()) {
        self.model = model
        self.decoder = decoder
        self.options = options
        tokenizer = model.tokenizer
    }

    /// Data with each x column and y scaled to mean 0, standard deviation 1, and the scales.
    private struct StandardizedData {
        let columns: [[Double]]
        let y: [Double]
        let xScale: [(mean: Double, deviation: Double)]
        let yScale: (mean: Double, deviation: Double)

        init(_ data: RegressionData) {
            let raw = (0..<data.points.dimension).map { Array(data.points.column($0)) }
            xScale = raw.map(DecoderProposals.meanAndDeviation)
            yScale = DecoderProposals.meanAndDeviation(data.y)
            columns = zip(raw, xScale).map { column, s in column.map { ($0 - s.mean) / s.deviation } }
            y = data.y.map { [yScale] in ($0 - yScale.mean) / yScale.deviation }
        }
    }

    /// The latent vector of points `rows` of `data`, with Gaussian noise of deviation `noise`
    /// on the (standardised) y.
    private func latent(
        of data: StandardizedData, rows: [Int], noise: Double, random: inout RegressionRandom
    ) throws -> [Double] {
        var x = rows.map { k in data.columns.map { $0[k] } }
        var y: [Double] = []
        y.reserveCapacity(rows.count)
        for k in rows { y.append(data.y[k] + (noise > 0 ? noise * random.normal() : 0)) }
        if model.contract.sortsPoints { (x, y) = Sample.sortedPoints(x: x, y: y) }
        let ids = try tokenizer.pointIDs(x: x, y: y)
        let latent = withoutGrad { model.encodeNumeric([ids]).latent }
        return latent.withUnsafeBufferPointer { $0.map(Double.init) }
    }

    /// Candidates for `data`, best fitted first; `count` at most.
    public func proposals(for data: RegressionData, count: Int, seed: UInt64) throws -> [Expression] {
        try proposals(for: data, count: count, seed: seed, encoding: nil)
    }

    /// Candidates for `data` decoded from the encoding of `encoding`'s points instead of
    /// `data`'s (nil: `data`'s): with another function's points this is the control that shows
    /// how much the encoding of the data itself contributes. The latent-space search is off
    /// for a control.
    public func proposals(for data: RegressionData, count: Int, seed: UInt64, encoding: RegressionData?) throws
        -> [Expression]
    {
        let started = DispatchTime.now().uptimeNanoseconds
        let stop = shouldStop
        func elapsed() -> Double {
            if stop?() == true { return .infinity }
            return Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        }
        var random = RegressionRandom(seed: seed ^ 0x5319_DEC0)
        // the decodings' own stream: the optimiser holds `random` while it calls the objective
        var decodingSeeds = RegressionRandom(seed: seed ^ 0xDEC0_5EED)
        let dimension = data.points.dimension
        guard dimension <= decoder.config.maxInputDimension else {
            throw ModelError("the decoder writes formulas of up to \(decoder.config.maxInputDimension) variables; the data has \(dimension)")
        }
        let standard = StandardizedData(data)
        let n = data.count
        // the fitting points: one subsample of at most `points`
        let fitRows = Self.subsample(n, options.points, &random)
        let fitColumns = standard.columns.map { c in fitRows.map { c[$0] } }
        let fitY = fitRows.map { standard.y[$0] }

        func encode(rows: [Int], noise: Double) throws -> [Double] {
            try latent(of: standard, rows: rows, noise: noise, random: &random)
        }

        var fitted: [String: (r2: Double, expression: Expression)] = [:]
        func fit(_ decoded: DecodedFormula) -> Double {
            let key = decoded.words.joined(separator: ",")
            if let known = fitted[key] { return known.r2 }
            var result = (r2: -Double.infinity, expression: decoded.expression)
            if let fit = try? decoded.expression.fittingConstants(
                columns: fitColumns, y: fitY, iterations: options.fitIterations), fit.r2.isFinite
            {
                result = (fit.r2, fit.expression)
            }
            fitted[key] = result
            return result.r2
        }
        func decodeAndFit(_ latent: [[Double]], _ strategy: DecodingStrategy) -> [Double] {
            let tensor = Tensor(latent.flatMap { $0.map(Float.init) }, shape: [latent.count, decoder.config.latent])
            let decoded = decoder.decode(
                latent: tensor, strategy: strategy, variables: dimension, seed: decodingSeeds.next())
            return decoded.map { list in list.map(fit).max() ?? -.infinity }
        }

        var report = Report()
        let z0 = try encoding.map { try self.encoding(of: $0, seed: seed) } ?? encode(rows: fitRows, noise: 0)
        _ = decodeAndFit([z0], .beam(width: options.beamWidth))
        if options.samples > 0 {
            _ = decodeAndFit([z0], .sampling(count: options.samples, temperature: options.temperature))
        }
        report.initialR2 = fitted.values.map(\.r2).max() ?? -.infinity

        if encoding == nil, options.lsoSeconds > 0, options.population > 0, report.initialR2 < options.targetR2 {
            // the first pack: the data, subsamples, noisy copies, random perturbations
            var pack: [[Double]] = [z0]
            let subsamples = Swift.min(options.population / 4, 12)
            for _ in 0..<subsamples where elapsed() < options.lsoSeconds / 4 {
                pack.append(try encode(rows: Self.subsample(n, options.points, &random), noise: 0))
            }
            for _ in 0..<subsamples where elapsed() < options.lsoSeconds / 4 {
                pack.append(try encode(rows: fitRows, noise: 0.05))
            }
            let width = z0.count
            var spread = [Double](repeating: 0, count: width)
            for i in 0..<width {
                let values = pack.map { $0[i] }
                let mean = values.reduce(0, +) / Double(values.count)
                spread[i] = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)).squareRoot()
            }
            let rms = (z0.map { $0 * $0 }.reduce(0, +) / Double(width)).squareRoot()
            let radius = spread.map { Swift.max(3 * $0, 0.25 * rms, 1e-3) }
            while pack.count < options.population {
                pack.append((0..<width).map { z0[$0] + 0.3 * radius[$0] * random.normal() })
            }
            let optimizer = GreyWolfOptimizer(
                lower: (0..<width).map { z0[$0] - radius[$0] }, upper: (0..<width).map { z0[$0] + radius[$0] },
                populationSize: options.population, iterations: options.iterations)
            let beam = DecodingStrategy.beam(width: options.lsoBeamWidth)
            var latents = 0
            let result = optimizer.minimize(
                initial: pack, random: &random,
                shouldStop: { best in -best >= self.options.targetR2 || elapsed() >= self.options.lsoSeconds },
                objective: { z in
                    guard elapsed() < self.options.lsoSeconds else { return .infinity }
                    latents += 1
                    return -(decodeAndFit([z], beam).first ?? -.infinity)
                })
            _ = result
            report.latents = latents
        }
        let ranked = fitted.values.sorted { $0.r2 > $1.r2 }
        report.skeletons = fitted.count
        report.bestR2 = ranked.first?.r2 ?? -.infinity
        report.best = ranked.first?.expression
        report.seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        lastReport = report
        // back to the data's variables and scale: y = μ_y + σ_y · f((x − μ_x) / σ_x)
        // the best few that explain something: many weak seeds would crowd out the search's own
        return ranked.filter { $0.r2 > 0 }.prefix(Swift.min(count, options.maxProposals)).map { entry in
            let inner = Self.folded(Self.substituting(entry.expression, standard.xScale))
            return Self.folded(.binary(
                .add, .leaf(.float(standard.yScale.mean)), .binary(.mul, .leaf(.float(standard.yScale.deviation)), inner)))
        }
    }

    /// `e` with products of two numbers folded: `a · (b · f)` → `(a·b) · f`, `a · b` → `ab`.
    static func folded(_ e: Expression) -> Expression {
        switch e {
        case .leaf: return e
        case .unary(let op, let a): return .unary(op, folded(a))
        case .binary(let op, let a, let b):
            let (x, y) = (folded(a), folded(b))
            if op == .mul, case .leaf(.number(let p)) = x, let u = Double(p) {
                if case .leaf(.number(let q)) = y, let v = Double(q) { return .leaf(.float(u * v)) }
                if case .binary(.mul, .leaf(.number(let q)), let rest) = y, let v = Double(q) {
                    return .binary(.mul, .leaf(.float(u * v)), rest)
                }
            }
            return .binary(op, x, y)
        }
    }

    /// The latent vector of `data`'s standardised points (a subsample of ``DecoderSearchOptions/points``).
    public func encoding(of data: RegressionData, seed: UInt64) throws -> [Double] {
        var random = RegressionRandom(seed: seed ^ 0x5319_DEC0)
        let rows = Self.subsample(data.count, options.points, &random)
        return try latent(of: StandardizedData(data), rows: rows, noise: 0, random: &random)
    }

    /// `e` with each `x_i` replaced by `(x_i − mean_i) / deviation_i`.
    static func substituting(_ e: Expression, _ scale: [(mean: Double, deviation: Double)]) -> Expression {
        switch e {
        case .leaf(.variable(let i)) where i < scale.count:
            if scale[i].mean == 0 && scale[i].deviation == 1 { return e }
            return .binary(
                .mul, .leaf(.float(1 / scale[i].deviation)),
                .binary(.sub, .leaf(.variable(i)), .leaf(.float(scale[i].mean))))
        case .leaf: return e
        case .unary(let op, let a): return .unary(op, substituting(a, scale))
        case .binary(let op, let a, let b): return .binary(op, substituting(a, scale), substituting(b, scale))
        }
    }

    static func meanAndDeviation(_ values: [Double]) -> (mean: Double, deviation: Double) {
        let mean = values.reduce(0, +) / Double(Swift.max(values.count, 1))
        let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(Swift.max(values.count, 1))
        let deviation = variance.squareRoot()
        return (mean, deviation.isFinite && deviation > 1e-300 ? deviation : 1)
    }

    /// `k` distinct indices of `0..<n` (all of them, in order, when n ≤ k).
    static func subsample(_ n: Int, _ k: Int, _ random: inout RegressionRandom) -> [Int] {
        guard n > k else { return Array(0..<n) }
        var indices = Array(0..<n)
        for i in 0..<k {
            let j = i + random.index(n - i)
            indices.swapAt(i, j)
        }
        return Array(indices[0..<k]).sorted()
    }
}

extension DecoderProposals {
    /// The decoder file that ships with the 10-D model.
    public static let shippedDecoderFileName = "snip-small-10d-decoder.safetensors"

    /// Whether the shipped decoder is present.
    public static var shippedDecoderPath: String? { ShippedModel.locate(shippedDecoderFileName) }

    /// The shipped 10-D model with its shipped decoder.
    public static func shipped(options: DecoderSearchOptions = DecoderSearchOptions()) throws -> DecoderProposals {
        guard let path = shippedDecoderPath else {
            throw ModelError("the shipped decoder \(shippedDecoderFileName) was not found (looked in SNIP_HOME/Models, next to the executable and in ./Models)")
        }
        let model = try SNIPModel.shipped(.tenDimensional)
        return DecoderProposals(model: model, decoder: try DecoderCheckpoint.load(path, for: model), options: options)
    }

    /// A model and a decoder file (`decoder` "auto" or "shipped": the shipped pair; else a
    /// path, with `model` a checkpoint path or 1d / 10d).
    public static func load(decoder: String, model: String = "10d", options: DecoderSearchOptions) throws -> DecoderProposals {
        if decoder == "auto" || decoder == "shipped" { return try shipped(options: options) }
        let snip = try SNIPModel.load(named: model)
        return DecoderProposals(model: snip, decoder: try DecoderCheckpoint.load(decoder, for: snip), options: options)
    }
}
